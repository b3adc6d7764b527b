"""Import every ORM model so ``Base.metadata`` is complete (Alembic, tests)."""

from matdiscover.db.base import Base
from matdiscover.domains.audit.models import AuditEntry
from matdiscover.domains.auth.models import ApiKey, RateLimitWindow, RefreshToken
from matdiscover.domains.campaigns.models import (
    Campaign,
    CampaignCandidate,
    CampaignResult,
    CampaignRound,
)
from matdiscover.domains.compounds.models import Compound
from matdiscover.domains.experiments.models import ExperimentalResult, MeasurementVersion
from matdiscover.domains.identity import Role
from matdiscover.domains.invitations.models import Invitation
from matdiscover.domains.jobs.models import Job, JobChunk, JobStatus, WorkerProcess
from matdiscover.domains.materials.models import Material
from matdiscover.domains.model_registry.models import ModelVersion
from matdiscover.domains.molecules.models import Molecule, MoleculeActivity
from matdiscover.domains.optimade.models import OptimadeImport
from matdiscover.domains.organizations.models import Organization, OrgMembership, Plan, User
from matdiscover.domains.predictions.models import MLModel, Prediction
from matdiscover.domains.projects.models import (
    ItemStatus,
    Project,
    ProjectItem,
    ProjectNote,
    Recalibration,
)
from matdiscover.domains.reference.models import ReferenceLoad
from matdiscover.domains.similarity.models import CompositionEmbedding
from matdiscover.domains.usage.models import UsageRecord

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "RateLimitWindow",
    "RefreshToken",
    "AuditEntry",
    "Base",
    "Campaign",
    "CampaignCandidate",
    "CampaignResult",
    "CampaignRound",
    "CompositionEmbedding",
    "Compound",
    "ExperimentalResult",
    "ItemStatus",
    "MeasurementVersion",
    "Invitation",
    "Job",
    "JobChunk",
    "JobStatus",
    "MLModel",
    "ModelVersion",
    "Material",
    "Molecule",
    "MoleculeActivity",
    "OptimadeImport",
    "OrgMembership",
    "Organization",
    "Plan",
    "Prediction",
    "Project",
    "ProjectItem",
    "ProjectNote",
    "Recalibration",
    "ReferenceLoad",
    "Role",
    "UsageRecord",
    "User",
    "WorkerProcess",
    "metadata",
]
