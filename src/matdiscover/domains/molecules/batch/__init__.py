"""Molecule batches on the job queue: ``POST /molecules/batch`` reads a file (SMILES, CSV/TSV,
SDF/MOL), splits it into chunks and queues them; workers profile each chunk's molecules
with the science core and store them through the molecules service, exactly once per
InChIKey. Progress, cancel, retry, results and errors are the jobs domain's.

- :mod:`.submit`: reading the file at the boundary, the job and its chunks;
- :mod:`.run`: a chunk (profile, complete, store) and the reduce step;
- :mod:`.router`: the HTTP endpoint.
"""
