"""The admin overview's consistency check: run it now (reconcile.run_now) and show its counts.

The service checks that the caller is a system administrator; this state only reports a refusal."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import reconcile
from lumikb_app.state.shell import ShellState

COUNT_LABELS = {
    "outbox_redispatched": "Background tasks dispatched again",
    "orphan_vectors_removed": "Orphan vectors removed",
    "documents_reindexed": "Documents re-indexed (missing vectors)",
    "document_cards_added": "Document cards added",
    "orphan_blobs_removed": "Orphan files removed",
    "stuck_documents_requeued": "Stuck documents queued again",
    "old_versions_expired": "Old document versions purged (retention)",
    "collections_optimized": "Collections optimized",
}


@dataclass
class CountRow:
    key: str
    label: str
    count: int


class AdminMaintenanceState(ShellState):
    reconcile_running: bool = False
    reconcile_counts: list[CountRow] = []
    reconcile_error: str = ""

    @rx.event
    async def run_reconcile(self):
        if self.reconcile_running:
            return
        self.reconcile_error, self.reconcile_counts = "", []
        user = await self.current_user()
        if user is None:
            self.reconcile_error = "Only administrators can do this."
            return
        self.reconcile_running = True
        yield
        try:
            report = await asyncio.to_thread(reconcile.run_now, user)
        except PermissionDenied as refused:
            self.reconcile_error = str(refused)
        except Exception as error:  # shown to the admin; the page stays usable
            self.reconcile_error = f"The check failed: {error}"
        else:
            self.reconcile_counts = [
                CountRow(key, COUNT_LABELS.get(key, key.replace("_", " ")), int(count))
                for key, count in report.items()
            ]
        finally:
            self.reconcile_running = False
