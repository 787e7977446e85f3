"""Lesson Markdown is rendered, then sanitised."""
from app.common.markdown import render_markdown


def test_markdown_renders_tables_and_shifts_headings():
    html = render_markdown("# Judul\n\n|a|b|\n|-|-|\n|1|2|\n")
    assert "<h2>Judul</h2>" in html and "<h1>" not in html
    assert "<table>" in html and "<td>1</td>" in html


def test_dangerous_content_is_removed():
    source = (
        "<script>alert(1)</script>\n\n"
        "[klik](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)\n\n"
        "<img src=x onerror=alert(1)>\n\n<svg><circle/></svg> <math><mi>x</mi></math>\n\n"
        "[aman](https://jdih.kaltimprov.go.id)"
    )
    html = render_markdown(source)
    # Raw HTML is shown as inert text, never as tags.
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="data' not in html
    assert "<svg" not in html and "<math" not in html
    assert 'href="https://jdih.kaltimprov.go.id"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
