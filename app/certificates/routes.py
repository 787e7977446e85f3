"""Pages of the certificates area (being written)."""
from flask import Blueprint

bp = Blueprint("certificates", __name__, template_folder="templates")
