"""Jobs domain: owns batch prediction jobs, their chunks (map/reduce units), their files
and the registered worker processes (``jobs``, ``job_chunks``, ``worker_processes``), plus
the queue contract (task names and payloads). Uses ``materials`` and ``predictions``
(storing a finished chunk's rows) and ``usage`` (job slots and prediction quotas)."""
