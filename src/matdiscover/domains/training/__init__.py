"""Training jobs: fine-tune a shipped composition model with an organisation's
measurements on the job queue, checkpointed per epoch, registered as a candidate version."""
