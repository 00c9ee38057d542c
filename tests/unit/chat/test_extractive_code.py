"""A sentence that introduces a code or literal block quotes the block with it, as a fenced
Markdown code block, in the no-model answer (real PEP passages, as chunking stores them)."""

import pytest

from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.chat.citations import verify_text
from lumikb_app.services.chat.extractive import choose_sentences, compose, word_pieces

pytestmark = pytest.mark.unit

# PEP 263, section "Defining the Encoding", as one passage (blocks apart by a blank line).
PEP_263 = (
    "Defining the Encoding\n\n"
    "Python will default to ASCII as standard encoding if no other encoding hints are given.\n\n"
    "To define a source code encoding, a magic comment must be placed into the source files "
    "either as first or second line in the file, such as:\n\n"
    "# coding=<encoding name>\n\n"
    "or (using formats recognized by popular editors):\n\n"
    "#!/usr/bin/python\n# -*- coding: <encoding name> -*-\n\n"
    "or:\n\n"
    "#!/usr/bin/python\n# vim: set fileencoding=<encoding name> :\n\n"
    "More precisely, the first or second line must match the following regular expression:\n\n"
    "^[ \\t\\f]*#.*?coding[:=][ \\t]*([-_.a-zA-Z0-9]+)\n\n"
    "The first group of this expression is then interpreted as encoding name. If the encoding "
    "is unknown to Python, an error is raised during compilation. There must not be any Python "
    "statement on the line that contains the encoding declaration. If the first line matches "
    "the second line is ignored."
)
# PEP 305, "Reading CSV Files" (its literal block ends a sentence of a long paragraph).
PEP_305 = (
    "Reading CSV Files\n\n"
    "CSV readers are created with the reader factory function:\n\n"
    "obj = reader(iterable [, dialect='excel']\n             [optional keyword args])\n\n"
    "A reader object is an iterator which takes an iterable object returning lines as the sole "
    "required parameter. The optional dialect parameter is discussed below. Readers are "
    "typically used as follows:\n\n"
    'csvreader = csv.reader(file("some.csv"))\nfor row in csvreader:\n    process(row)\n\n'
    "Each row returned by a reader object is a list of strings or Unicode objects."
)
RELEASING_MD = (
    "Releasing\n\n"
    "To cut a release, tag the commit with a signed tag. The command looks like this:\n\n"
    "git tag -s v1.2.3\ngit push origin v1.2.3\n\n"
    "Then wait for CI to publish the wheel.\n\n"
    "That is all."
)


def passage(text: str, name: str = "pep-0263.rst", n: int = 1) -> Passage:
    return Passage(f"c{n}", f"d{n}", name, "kb", "KB", "text/x-rst", text, 1 / n)


def answer(question: str, *texts: str) -> str:
    return compose(choose_sentences(question, [passage(t, n=n) for n, t in enumerate(texts, 1)]))


def test_the_encoding_declaration_is_shown_as_code():
    body = answer("How do I declare a source file encoding?", PEP_263)
    assert "such as: [1]\n\n```\n# coding=<encoding name>\n```" in body
    assert "```\n#!/usr/bin/python\n# -*- coding: <encoding name> -*-\n```" in body
    assert "\n\nor (using formats recognized by popular editors):\n\n" in body


def test_the_regular_expression_follows_the_sentence_that_announces_it():
    body = answer("Which regular expression must the first or second line match?", PEP_263)
    intro = "the first or second line must match the following regular expression: [1]"
    regex = "```\n^[ \\t\\f]*#.*?coding[:=][ \\t]*([-_.a-zA-Z0-9]+)\n```"
    assert f"{intro}\n\n{regex}" in body
    assert not body.rstrip().endswith("expression: [1]")


def test_a_markdown_command_block_is_kept_and_the_citation_stays_on_its_sentence():
    body = answer("How do I tag a release?", RELEASING_MD)
    assert (
        "The command looks like this: [1]\n\n```\ngit tag -s v1.2.3\ngit push origin v1.2.3\n```"
        in body
    )
    assert "That is all." not in body  # prose after the block is not code


def test_indentation_inside_a_block_is_kept_and_the_prose_after_it_is_not_code():
    body = answer("How are CSV readers typically used?", PEP_305)
    assert (
        '```\ncsvreader = csv.reader(file("some.csv"))\nfor row in csvreader:\n    process(row)\n```'
        in body
    )
    assert "```\nEach row" not in body


def test_a_sentence_announcing_a_block_the_passage_lost_is_not_quoted():
    cut = PEP_263.split("\n\n^[")[0]  # the passage ends before the expression
    body = answer("Which regular expression must the first or second line match?", cut)
    assert "following regular expression:" not in body


def test_the_streamed_answer_is_the_same_text_and_code_keeps_its_brackets():
    body = answer("Which regular expression must the first or second line match?", PEP_263)
    assert "".join(word_pieces(body)) == body
    shown, cited = verify_text(body, [1])
    assert shown == body and cited == [1]


# PEP 263, "Examples": reST keeps each list item's literal block indented under the item.
PEP_263_EXAMPLES = (
    "Examples\n\n"
    "These are some examples to clarify the different styles for defining the source code "
    "encoding at the top of a Python source file:\n\n"
    "- With interpreter binary and using Emacs style file encoding comment:\n"
    "  #!/usr/bin/python\n  # -*- coding: latin-1 -*-\n  import os, sys\n  ...\n"
    "- Without interpreter line, using plain text:\n"
    "  # This Python file uses the following encoding: utf-8\n  import os, sys\n  ..."
)


def test_code_under_a_list_item_is_shown_as_code_after_the_item():
    body = answer("What does an Emacs style encoding comment look like?", PEP_263_EXAMPLES)
    assert body.startswith(
        "With interpreter binary and using Emacs style file encoding comment: [1]\n\n"
        "```\n#!/usr/bin/python\n# -*- coding: latin-1 -*-\nimport os, sys\n...\n```"
    )
    assert "\n\nWithout interpreter line, using plain text:\n\n```\n# This Python file" in body
