"""Background jobs: long work (bulk certificate issuing, large exports) run off the request.

With ``LENTERA_REDIS_URL`` set, jobs are queued on RQ (Redis) and run by
``flask jobs worker`` processes on any machine; without it, the same job
function runs in-process in a small thread pool, so the embedded SQLite
set-up needs no server. The job's state (status, progress, result file,
error) lives in the ``background_jobs`` table, so every web process shows it.
"""
