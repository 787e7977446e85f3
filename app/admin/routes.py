"""Pages of the admin area (being written)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.route("/admin")
def index():
    return "admin"


@bp.route("/pengajar")
def trainer_index():
    return "pengajar"
