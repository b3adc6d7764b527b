"""Experiments domain: owns ``experimental_results``, measured property values recorded by
experimentalists (optionally tied to a material and a project) to compare with
predictions. Tables only for now: its service and API come with the
projects-and-measurements issue. Declared to use ``materials``, ``predictions`` and
``projects``."""
