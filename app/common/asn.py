"""Reference tables of ASN ranks (shared/domain-facts.md §4).

Eselon: PP 13/2002 (I.a … IV.b; V.a is no longer used for new posts).
Golongan/ruang and pangkat names: PP 99/2000 as amended (I/a … IV/e).
"""
ESELON = ("I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b")

PANGKAT = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tingkat I", "I/c": "Juru", "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tingkat I", "II/c": "Pengatur", "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda", "III/b": "Penata Muda Tingkat I", "III/c": "Penata", "III/d": "Penata Tingkat I",
    "IV/a": "Pembina", "IV/b": "Pembina Tingkat I", "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya", "IV/e": "Pembina Utama",
}
GOLONGAN = tuple(PANGKAT)

EMPLOYMENT_TYPE_LABELS = {"PNS": "PNS", "PPPK": "PPPK"}
