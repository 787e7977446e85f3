"""Pages of the catalog area (being written)."""
from flask import Blueprint

bp = Blueprint("catalog", __name__, template_folder="templates")


@bp.route("/")
def index():
    return "katalog"
