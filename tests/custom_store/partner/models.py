# A forked partner app, as ``oscar fork_app`` leaves it, reusing Oscar's
# migrations (MIGRATION_MODULES) because the models are unchanged.
from oscar.apps.partner.models import *  # noqa: F403
