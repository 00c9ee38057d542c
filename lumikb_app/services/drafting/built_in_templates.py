"""The templates every installation starts with. They are seeded by `key` and never edited
through the app; changing one here gives the stored row a new version at the next start.

Each section's instruction says what the section must contain and in what shape; the drafting
prompt adds the rules that hold for every section (cite every claim, never guess, say when the
sources do not cover it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lumikb_app.domain.drafting import AnswerLength, Tone


@dataclass(frozen=True)
class BuiltInTemplate:
    key: str
    name: str
    description: str
    answer_length: AnswerLength
    tone: Tone
    sections: tuple[tuple[str, str], ...]  # (title, instruction)
    kind: str = "document"

    def section_dicts(self) -> list[dict[str, Any]]:
        return [{"title": title, "instruction": text} for title, text in self.sections]


RFP_RESPONSE = BuiltInTemplate(
    key="rfp_response",
    name="RFP response",
    description=(
        "A response to a request for proposal: what is offered, how it meets the "
        "requirements, how it is delivered, supported, secured and priced."
    ),
    answer_length=AnswerLength.long,
    tone=Tone.formal,
    sections=(
        (
            "Executive summary",
            "In two short paragraphs, say what we propose and why it meets the buyer's needs. "
            "Name the two or three strongest differentiators the sources support; no claims "
            "the sources do not make.",
        ),
        (
            "Understanding of the requirements",
            "Restate the buyer's objectives and key requirements as the sources describe them, "
            "as a bulleted list. State any assumption made about scope.",
        ),
        (
            "Proposed solution",
            "Describe the product or service offered, its main components and which "
            "requirement each one meets. Cite the documentation for every capability named.",
        ),
        (
            "Implementation approach and timeline",
            "Give the delivery phases in order with their milestones, typical durations and "
            "what each side is responsible for. Use a numbered list.",
        ),
        (
            "Security and compliance",
            "Summarise certifications, data protection, hosting, access control and audit "
            "logging, only as the sources state them. Name standards exactly as written.",
        ),
        (
            "Support and service levels",
            "State support hours, channels, response and resolution times, uptime "
            "commitments and escalation path. Quote figures exactly; never round or estimate.",
        ),
        (
            "Team and experience",
            "Describe the team's relevant experience, comparable projects and references the "
            "sources name.",
        ),
        (
            "Pricing and commercial terms",
            "Describe the pricing model, what it includes and the payment terms. Give only "
            "figures found in the sources; if there are none, say so plainly.",
        ),
        (
            "Assumptions and exceptions",
            "List the assumptions this response relies on and any requirement we do not meet "
            "or meet only in part, each with a one-line reason.",
        ),
    ),
)

SECURITY_QUESTIONNAIRE = BuiltInTemplate(
    key="security_questionnaire",
    name="Security questionnaire",
    description=(
        "Standard answers for a customer's security review: policies, access, encryption, "
        "data handling, development, monitoring, incidents, continuity and compliance."
    ),
    answer_length=AnswerLength.short,
    tone=Tone.formal,
    kind="questionnaire",
    sections=(
        (
            "Information security policies and governance",
            "Say whether a written security policy exists, who owns it, how often it is "
            "reviewed and how staff are told of it.",
        ),
        (
            "Access control and authentication",
            "Answer yes or no first where the question allows. Cover single sign-on, "
            "multi-factor authentication, least privilege, role-based access and access reviews.",
        ),
        (
            "Encryption of data at rest and in transit",
            "Name the algorithms, protocol versions and key management exactly as the "
            "sources state them.",
        ),
        (
            "Data residency, retention and deletion",
            "Say where customer data is stored, how long it is kept, and how and when it is "
            "deleted on request or at the end of the contract.",
        ),
        (
            "Network and infrastructure security",
            "Cover hosting, network segmentation, firewalls, hardening and who can reach "
            "production systems.",
        ),
        (
            "Secure development lifecycle",
            "Cover code review, dependency and vulnerability scanning, testing, and how "
            "changes reach production.",
        ),
        (
            "Vulnerability management and penetration testing",
            "Say how vulnerabilities are found, how fast they are fixed by severity, and how "
            "often independent penetration tests are run.",
        ),
        (
            "Logging, monitoring and audit trail",
            "Say what is logged, how long logs are kept, whether they are tamper-evident and "
            "who reviews them.",
        ),
        (
            "Incident response and breach notification",
            "Describe the incident response process and the notification commitment to "
            "customers, with its time limit if the sources give one.",
        ),
        (
            "Business continuity, backups and disaster recovery",
            "Give backup frequency, retention, restore testing, and the recovery time and "
            "recovery point objectives if stated.",
        ),
        (
            "Third parties and subprocessors",
            "List the subprocessors or third parties that handle customer data and how they "
            "are assessed.",
        ),
        (
            "Compliance and certifications",
            "Name certifications and attestations (for example ISO 27001, SOC 2) with their "
            "scope and date only as the sources give them.",
        ),
        (
            "Personnel security and training",
            "Cover background checks, confidentiality agreements and security awareness "
            "training, with how often training happens.",
        ),
    ),
)

CHECKLIST = BuiltInTemplate(
    key="checklist",
    name="Checklist",
    description=(
        "A checklist someone can follow and tick off: what to have ready, the steps in "
        "order, the checks, who signs off, and the questions still open."
    ),
    answer_length=AnswerLength.medium,
    tone=Tone.plain,
    sections=(
        (
            "Before you start",
            "List the prerequisites (access, tools, approvals, information) as Markdown "
            "checkboxes ('- [ ] ...'), one item per line, each item cited.",
        ),
        (
            "Steps",
            "List the steps in the order they are done as a numbered list, one action per "
            "step, with the exact command, setting or form name when the sources give one.",
        ),
        (
            "Checks and acceptance criteria",
            "List what must be verified and the expected result as Markdown checkboxes.",
        ),
        (
            "Roles and sign-off",
            "List who does each part and who approves the result, by role as the sources "
            "name them.",
        ),
        (
            "Common mistakes and risks",
            "List the mistakes, warnings and known pitfalls the sources mention, each with "
            "how to avoid it.",
        ),
        (
            "Open questions",
            "List the points the checklist needs but the sources leave unsettled, for a "
            "person to resolve.",
        ),
    ),
)

GAP_ANALYSIS = BuiltInTemplate(
    key="gap_analysis",
    name="Gap analysis",
    description=(
        "Where things stand against a requirement, standard or goal: the current state, "
        "the target, the gaps with their risk, and what to do next."
    ),
    answer_length=AnswerLength.long,
    tone=Tone.neutral,
    sections=(
        (
            "Scope and criteria",
            "State what is assessed and against which requirements, standard or goal, as the "
            "sources define them.",
        ),
        (
            "Current state",
            "Describe how things are done today, process by process, only from what the "
            "sources document.",
        ),
        (
            "Target state",
            "Describe what the requirements, standard or goal expect, point by point.",
        ),
        (
            "Gaps",
            "Give a Markdown table with the columns Requirement | Current state | Gap | "
            "Severity (high, medium, low), one row per gap, each row cited.",
        ),
        (
            "Risks",
            "For each high or medium gap, say what could go wrong while it stays open.",
        ),
        (
            "Recommendations and next steps",
            "Give prioritised actions to close the gaps as a numbered list, highest severity "
            "first, naming an owner role where the sources suggest one.",
        ),
        (
            "Evidence not found",
            "List the requirements for which the sources hold no evidence either way, so a "
            "person can check them.",
        ),
    ),
)

EXECUTIVE_SUMMARY = BuiltInTemplate(
    key="executive_summary",
    name="Executive summary",
    description=(
        "A one-page summary for a decision maker: the purpose, the key points, the "
        "situation, the decisions needed, the risks and the next steps."
    ),
    answer_length=AnswerLength.short,
    tone=Tone.plain,
    sections=(
        (
            "Purpose",
            "In one or two sentences, say what this summary is about and why it matters now.",
        ),
        (
            "Key points",
            "Give the three to five most important facts as short bullets, most important first.",
        ),
        (
            "Current situation",
            "Describe the present state in a short paragraph, with the figures the sources give.",
        ),
        (
            "Decisions or actions needed",
            "List what the reader must decide or approve, each with the options the sources "
            "describe.",
        ),
        (
            "Risks and dependencies",
            "List the main risks and what the outcome depends on, each in one line.",
        ),
        (
            "Next steps",
            "List the next steps with their owner role and date when the sources give them.",
        ),
    ),
)

BUILT_IN_TEMPLATES: tuple[BuiltInTemplate, ...] = (
    RFP_RESPONSE,
    SECURITY_QUESTIONNAIRE,
    CHECKLIST,
    GAP_ANALYSIS,
    EXECUTIVE_SUMMARY,
)
