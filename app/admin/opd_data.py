"""The OPD (Organisasi Perangkat Daerah) of Pemprov Kalimantan Timur, for ``flask opd seed``.

Source: shared/domain-facts.md §5, only the agencies marked verified there
(seen on 2021–2026 news and government sites; the founding Perda was not
opened). Left out as unverified: Biro Organisasi, Biro Perekonomian,
Biro Pemerintahan/Otda, Sekretariat DPRD.

``code`` is the abbreviation people use (upper case, words joined with "-");
``name`` is the full name without the suffix "Provinsi Kalimantan Timur",
which every entry would share.

"RSKD Balikpapan", listed separately in §5, is the usual short name of
RSUD Kanujoso Djatiwibowo in Balikpapan (Tribun Kaltim 10 Sep 2019,
mediakaltim.com 2022: "Rumah Sakit Umum Daerah dr Kanujoso Djatiwibowo
(RSKD) Balikpapan"), so it is one entry here, not two.
"""
from __future__ import annotations

#: ``(code, name)`` pairs, grouped as in domain-facts §5.
OPD_DATA: tuple[tuple[str, str], ...] = (
    # Sekretariat Daerah and its biro
    ("SETDA", "Sekretariat Daerah"),
    ("BIRO-KESRA", "Biro Kesejahteraan Rakyat"),
    ("BIRO-ADBANG", "Biro Administrasi Pembangunan"),
    ("BIRO-ADPIM", "Biro Administrasi Pimpinan"),
    ("BIRO-HUKUM", "Biro Hukum"),
    ("BIRO-UMUM", "Biro Umum"),
    ("BIRO-PBJ", "Biro Pengadaan Barang dan Jasa"),
    # Oversight and public order
    ("INSPEKTORAT", "Inspektorat Daerah"),
    ("SATPOL-PP", "Satuan Polisi Pamong Praja"),
    # Dinas
    ("DISDIKBUD", "Dinas Pendidikan dan Kebudayaan"),
    ("DINKES", "Dinas Kesehatan"),
    ("PUPR-PERA", "Dinas Pekerjaan Umum, Penataan Ruang dan Perumahan Rakyat"),
    ("DINSOS", "Dinas Sosial"),
    ("DISNAKERTRANS", "Dinas Tenaga Kerja dan Transmigrasi"),
    ("DKP3A", "Dinas Kependudukan, Pemberdayaan Perempuan dan Perlindungan Anak"),
    ("DPMPD", "Dinas Pemberdayaan Masyarakat dan Pemerintahan Desa"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("DISPORA", "Dinas Pemuda dan Olahraga"),
    ("DISPAR", "Dinas Pariwisata"),
    ("DPK", "Dinas Perpustakaan dan Kearsipan"),
    ("DISPERINDAGKOP-UKM", "Dinas Perindustrian, Perdagangan, Koperasi dan UKM"),
    ("ESDM", "Dinas Energi dan Sumber Daya Mineral"),
    ("DKP", "Dinas Kelautan dan Perikanan"),
    ("DISHUT", "Dinas Kehutanan"),
    ("DISBUN", "Dinas Perkebunan"),
    ("DPTPH", "Dinas Pangan, Tanaman Pangan dan Hortikultura"),
    ("DPKH", "Dinas Peternakan dan Kesehatan Hewan"),
    # Badan
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("BAPENDA", "Badan Pendapatan Daerah"),
    ("BKD", "Badan Kepegawaian Daerah"),
    ("BPSDM", "Badan Pengembangan Sumber Daya Manusia"),
    ("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("BANHUB", "Badan Penghubung"),
    # Provincial hospitals
    ("RSUD-AWS", "Rumah Sakit Umum Daerah Abdoel Wahab Sjahranie"),
    ("RSKD", "Rumah Sakit Umum Daerah Kanujoso Djatiwibowo"),
    ("RSJD-AHM", "Rumah Sakit Jiwa Daerah Atma Husada Mahakam"),
)
