"""Pages of the learning area (being written)."""
from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates")


@bp.route("/saya")
def dashboard():
    return "saya"
