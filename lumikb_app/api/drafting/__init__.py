"""HTTP routes for drafting: REST API v1 (drafts, questionnaire import, generation, export,
templates) and the browser's export download. Calls services.drafting; no reflex imports."""
