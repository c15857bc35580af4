"""Services of the enterprise app: the only code that changes enterprise profiles, claims and
import jobs. Each checks permission, runs in one transaction and writes its audit row there."""

from gongkai.enterprise.services.claims import (
    claim_reject,
    claim_revoke,
    claim_submit,
    claim_verify,
    claim_withdraw,
)
from gongkai.enterprise.services.imports import (
    ImportReport,
    export_enterprises,
    import_enterprises,
    import_job_create,
    import_job_run,
    import_job_submit,
    import_template,
)
from gongkai.enterprise.services.profiles import (
    QUALIFICATION_KINDS,
    SELF_FIELDS,
    STAFF_FIELDS,
    compute_size,
    enterprise_create,
    enterprise_set_tags,
    enterprise_update,
    qualification_add,
    qualification_remove,
)

__all__ = [
    "QUALIFICATION_KINDS", "SELF_FIELDS", "STAFF_FIELDS", "ImportReport", "claim_reject", "claim_revoke",
    "claim_submit", "claim_verify", "claim_withdraw", "compute_size", "enterprise_create", "enterprise_set_tags",
    "enterprise_update", "export_enterprises", "import_enterprises", "import_job_create", "import_job_run",
    "import_job_submit", "import_template", "qualification_add", "qualification_remove",
]
