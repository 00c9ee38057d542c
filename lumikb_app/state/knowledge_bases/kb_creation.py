"""Who may create knowledge bases: the home page's new-KB button (shown only to those who may)
and the admin overview's setting. services/knowledge_bases/kb_creation checks both again."""

import asyncio

import reflex as rx

from lumikb_app.services.accounts import sign_in_threads
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kb_creation
from lumikb_app.state.shell import ShellState

POLICY_LABELS = {
    kb_creation.KbCreation.everyone.value: "Everyone",
    kb_creation.KbCreation.admins.value: "Administrators only",
}


class KbCreationState(ShellState):
    may_create_kbs: bool = False
    kb_creation: str = kb_creation.KbCreation.everyone.value
    kb_creation_error: str = ""
    kb_creation_notice: str = ""

    @rx.event
    async def load_may_create(self):
        """on_load of the home page: whether to offer "New knowledge base"."""
        user = await self.current_user()
        # A short read of every home page load: not queued behind searches (sign_in_threads).
        self.may_create_kbs = bool(user) and await sign_in_threads.lookup(
            kb_creation.may_create_kbs, user
        )

    @rx.event
    async def load_kb_creation(self):
        """on_load of the admin overview: the current setting."""
        self.kb_creation_error = self.kb_creation_notice = ""
        if await self.current_admin() is not None:
            policy = await asyncio.to_thread(kb_creation.kb_creation_policy)
            self.kb_creation = policy.value

    @rx.event
    async def set_kb_creation(self, policy: str):
        self.kb_creation_error = self.kb_creation_notice = ""
        actor = await self.current_admin()
        if actor is None:
            self.kb_creation_error = "Only administrators can do this."
            return
        try:
            saved = await asyncio.to_thread(
                kb_creation.set_kb_creation_policy, actor, policy, self._ip()
            )
        except (PermissionDenied, InvalidInput) as refused:
            self.kb_creation_error = str(refused)
            return
        self.kb_creation = saved.value
        self.kb_creation_notice = f"Saved: {POLICY_LABELS[saved.value]} may create knowledge bases."
