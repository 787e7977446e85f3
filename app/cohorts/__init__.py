"""Operator pages for the roster import and for cohorts (angkatan) and enrolment."""
