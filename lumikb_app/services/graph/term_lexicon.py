"""Word lists for the no-model term extractor (term_extractor.py).

Precision comes from what is *not* an entity: function words and common verbs break a candidate
phrase, generic words ("important part", "new approach") cannot make one, emphasis capitals
(RFC 2119 keywords) and document field names are never acronyms. The Python module lists let a
bare word be an entity only where it cannot be English ("asyncio" always, "random" only with
context: `import random`, "the random module", `random.choice`).
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words, pronouns, auxiliaries and adverbs.
FUNCTION_WORDS = _words("""
a about above across after afterwards again against all almost alone along already also although
always am among amongst an and another any anybody anyhow anyone anything anyway anywhere are
around as at be became because become becomes becoming been before beforehand behind being below
beside besides between beyond both but by can cannot could did do does doing done down due during
each either else elsewhere enough especially etc even ever every everyone everything everywhere
except few for former formerly from further furthermore had has have having he hence her here
hereby herein hers herself him himself his how however i ie eg if in indeed instead into is it
its itself just last latter least less let lets like likely may me meanwhile might mine more
moreover most mostly much must my myself namely neither never nevertheless next no nobody none
noone nor not nothing now nowhere of off often on once one only onto or other others otherwise
our ours ourselves out over own per perhaps please quite rather re really same seem seemed
seeming seems several she should since so some somehow someone something sometime sometimes
somewhat somewhere still such than that the their theirs them themselves then thence there
thereafter thereby therefore therein thereupon these they this those though through throughout
thru thus to together too toward towards under unless until up upon us very via was we well were
what whatever when whence whenever where whereas whereby wherever whether which while whither who
whoever whole whom whose why will with within without would yet you your yours yourself
yourselves shall ought isn aren wasn weren don doesn didn won wouldn shouldn couldn can't it's
let's that's there's what's i.e e.g vs versus ok okay yes non via unlike despite alike worth aka
""")

# Common verbs (all forms) and adverbs; with the function words they break a key term.
VERBS = _words("""
able accept accepted accepts access accessed add added adding adds affect affected affects allow
allowed allowing allows apply applied applies applying argue argued ask asked asking avoid avoided
avoids based became begin begins believe believed break breaks bring brings build builds call
called calling calls came carry cause caused causes change changed changes changing check checked
checks choose chose chosen come comes coming consider considered considering considers contain
contained containing contains continue continued continues create created creates creating
decide decided define defined defines defining depend depends describe described describes
describing design designed determine determined did differ do does doing done enable enabled
enables ensure ensures ensuring exist existed exists expect expected expects explain explained
fail failed fails find finds follow followed follows found gave get gets getting give given gives
giving go goes going gone got handle handled handles happen happens help helps hold holds imagine
implement implemented implementing implements improve improved include included includes
including indicate indicates intend intended introduce introduced introduces introducing involve
involves keep keeps kept know known knows lead leads leave leaves left look looked looks made make
makes making mean means meant mention mentioned move moved moves need needed needs note noted
notes noting obtain occur occurs offer offers pass passed passes passing perform performed
performs place placed prefer preferred prevent prevents proceed produce produced produces propose
proposed proposes proposing provide provided provides providing put puts raise raised raises
raising reach read reads receive received receives recommend recommended reduce reduced refer
referred refers reflect regard regarding regarded rely remain remained remains remove removed
removes removing replace replaced replaces replacing require required requires requiring resolve
result resulted results return returned returns returning run running runs said say says saw see
seeing seen sees seem select selected selects sent set sets setting show showed shown shows solve
specify specified specifies start started starts stay stop stopped store stored suggest suggested
suggests support supported supporting supports suppose supposed take taken takes taking tell
tells tend tends think thinks thought tried tries try trying turn turned turns understand
understood use used uses using vary want wanted wants was went work worked works write writes
writing written wrote yield yields according corresponding resulting remaining following existing
becomes adds regardless simply easily currently generally usually typically probably possibly
actually basically clearly completely directly entirely exactly explicitly fully immediately
implicitly largely mainly merely necessarily normally obviously originally particularly
potentially previously primarily properly rarely recently relatively roughly significantly
similarly slightly specifically strictly subsequently successfully truly unfortunately
essentially effectively eventually finally first firstly second secondly third thirdly lastly
currently later earlier soon already ago anymore either neither both hence whereas whilst
away back outside inside along apart aside forth ahead onward upward downward anew
two three four five six seven eight nine ten eleven twelve hundred thousand million dozen
anticipate anticipated appear appears appeared attempt attempts attempted encapsulate encapsulates
suffer suffers lack lacks lacking expand expands risk risks treat treats treated solicit
soliciting curate curates delay delays fall falls distinguish distinguishes recognize recognizes
recognise recognises toss tossing moving push pushes gain gains express expresses consult
consulting merge merges review reviews reviewed loops collect collecting collects decide decides
discuss discusses discussed agree agrees agreed accept accepts reject rejects rejected deprecate
deprecates mark marks marked emit emits emitted invoke invokes invoked ignore ignores ignored
matter matters exists fits fit seems happens means makes gives looks needs wants tries keeps
grows grow becomes allow ensure enables warrant warrants justify justifies enforce enforces
specify reflect reflects affect override overrides overridden inherit inherits inherited
hit hits delete deletes upgrade upgrades install installs fix create forego foregoing perform performing
""")


def _inflected(bases: str) -> frozenset[str]:
    """Each verb with its -s, -ed and -ing forms (regular spelling is enough here)."""
    forms: set[str] = set()
    for verb in bases.split():
        stem = verb[:-1] if verb.endswith("e") else verb
        third = verb + "es" if verb.endswith(("s", "sh", "ch", "x", "z")) else verb + "s"
        if verb.endswith("y") and verb[-2] not in "aeiou":
            third, past = verb[:-1] + "ies", verb[:-1] + "ied"
        else:
            past = stem + "ed"
        forms.update((verb, third, past, stem + "ing"))
    return frozenset(forms)


# Verbs that are rarely nouns; their inflections break a key term too.
PURE_VERBS = _inflected("""
identify evolve behave prove mediate consume minimize maximize prohibit extract divide send skip
declare conform consist depend disallow relate deal adopt adapt alter announce assume attach
cease claim clarify combine compare complain compute conclude confirm confuse connect construct
convert convince correspond deliver demonstrate deny derive deserve destroy detect develop
discover distribute eliminate emphasize employ encourage encounter enhance enter establish
estimate evaluate examine exceed exclude execute expose extend facilitate favor favour finish
focus forbid force forget gather generate hesitate highlight hide hope illustrate imply impose
incorporate inform insert insist inspect integrate interact interfere interpret investigate join
justify learn locate maintain manage manipulate migrate modify motivate necessitate notice notify
observe omit operate opt organize originate outline participate permit persuade pick possess
postpone predict preserve presume pretend promise promote pronounce propagate protect publish
pursue qualify quote realize recall reconsider recover redefine redirect refactor refine refuse
reintroduce relax reload remind rename render reorder repeat rephrase represent reproduce rescue
resemble resist respond restore restrict retain retrieve reuse reveal revert revise revisit
rewrite satisfy save scan seek sell serve simplify solve speed spend stress strip submit succeed
suit survive suspect tackle teach tolerate transform translate trust undergo undo unify unwrap
validate verify violate warn wish withdraw wonder worry wrap behave concern lose prefer
""") | _words(
    "lost sent sold chose chosen spoke broke drove fell forgot hid taught thrown wore dealt"
)
STOPWORDS = FUNCTION_WORDS | VERBS | PURE_VERBS

# -ing words that are nouns at the start of a term ("string formatting", "calling convention").
ING_NOUNS = _words("""
string encoding packaging logging threading tracing profiling pickling formatting typing testing
caching hashing parsing loading naming padding rounding buffering binding mapping setting warning
listing heading ending calling thing spring ring king ping pooling scheduling locking routing
slicing indexing unpacking packing quoting escaping scoping nesting sorting matching
checking processing handling versioning subclassing inlining programming debugging monitoring
benchmarking publishing marshalling interning counting collecting tokenizing training signing
bootstrapping linking embedding building hosting licensing indenting spacing naming
""")

# Adjectives too general to be part of a term: trimmed from a phrase's start ("useful
# display hooks" -> "display hooks").
GENERIC_ADJECTIVES = _words("""
new old same different current previous following simple specific certain various possible good
better best bad worse large small big little important useful main common original partial general
particular additional existing full whole single multiple many several few real actual obvious
clear easy hard difficult necessary appropriate reasonable significant potential major minor future
further entire own proposed typical usual unusual similar related relevant separate special
standalone extra alternative basic complete correct incorrect wrong right true false high low long
short great huge tiny nice ugly clean dirty fast slow quick cheap expensive available unavailable
valid invalid proper improper likely unlikely necessary unnecessary optional mandatory explicit
implicit direct indirect above below next last first second third final initial early late recent
modern older newer larger smaller higher lower longer shorter simpler easier harder faster slower
more less most least much such other another any every each various numerous certain key
interesting confusing surprising subtle strange odd major minor primary secondary
arbitrary adjacent exact uncertain strict vast vaster formal eventual novel broad fresh brittle
bare official consensual inherent helpful brief seamless widespread educational specific top
central outer inner internal external pathological huge enormous considerable substantial
sufficient insufficient reasonable unreasonable natural normal ordinary extraordinary trivial
nontrivial non-trivial straightforward elaborate complex complicated overall exciting powerful
flexible robust elegant awkward clumsy convenient inconvenient ambiguous unambiguous
consistent inconsistent compatible incompatible appropriate inappropriate sensible various
lazy custom easier harder simpler cleaner faster slower safer best worst worse better smaller
larger higher lower wider narrower earlier later newer older
regular average popular comprehensive concrete perfect introductory critical acceptable
unacceptable smooth smoother vibrant rich poor excellent terrible horrible wonderful beautiful
pretty nice fine great awesome amazing reliable unreliable secure insecure safe unsafe stable
unstable efficient inefficient effective ineffective successful unsuccessful modern legacy
practical theoretical technical nontechnical individual personal wide narrow deep
shallow heavy light strong weak rough precise accurate inaccurate careful careless frequent
infrequent rare occasional constant continuous permanent temporary brand-new well-known
unknown famous obscure preferred desired desirable undesirable acceptable sufficient limited
unlimited free expected unexpected intended unintended minimal maximal optimal suboptimal
numerous countless remaining resulting corresponding underlying respective entire ideal
""")

# Nouns too general to head a term ("common cause", "new approach"); fine as a modifier
# ("list comprehension").
GENERIC_NOUNS = _words("""
way ways part parts thing things case cases example examples use uses number numbers time times lot
lots kind kinds sort sorts point points fact facts idea ideas problem problems issue issues question
questions reason reasons result results change changes proposal proposals approach approaches
solution solutions option options section sections document documents discussion discussions
people person user users place places matter matters area areas aspect aspects amount detail
details form forms level levels means need needs purpose purposes side sides
situation situations term terms work works version versions step steps feature features
implementation implementations behavior behaviour behaviors behaviours effect effects support
benefit benefits advantage advantages disadvantage disadvantages drawback drawbacks goal goals
practice practices possibility possibilities effort efforts concern concerns process
requirement requirements situation context contexts purpose end ends start beginning rest list
set sets group groups item items piece pieces bit bits day days year years week weeks month months
while moment stuff anything everything nothing something someone everyone anyone author authors
reader readers writer writers discussion thread threads mailing email emails pep
peps python draft drafts text note notes question answer answers
motivation rationale abstract specification summary overview introduction conclusion appendix
copyright acknowledgements acknowledgments footnotes footnote link links page pages
maintainers developers members rules properties limitation limitations generality elimination
experience feedback post posts announcement venue agreement gathering gatherings review reviews
poll score scores hack hacks schedule period sentence combination subset style recipe fix fixes
respect regard terms order instance instances manner degree extent lack presence absence
sense notion concept concepts choice choices decision decisions attempt attempts consequence
consequences impact difference differences meaning meanings description descriptions
""")

MONTHS_AND_DAYS = _words("""
january february march april may june july august september october november december jan feb mar
apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
""")

# Capitalized words that start sentences or headings and name nothing on their own.
NOT_NAMES = _words("""
python pep peps note notes i example examples however also see abstract rationale motivation
specification copyright references reference appendix introduction summary status author title
type created discussion discussions open issues rejected ideas backwards compatibility security
implications implementation acknowledgements footnotes english yes no true false none table figure
chapter section part version draft final accepted deferred withdrawn superseded active
informational standards track process provisional question answer q a update updated edit
teach ii iii iv vi vii viii ix xi xii
discussions-to post-history python-version bdfl-delegate pep-delegate superseded-by
content-type last-modified sponsor resolution topic requires replaces total setup
""")

# Emphasis or document-structure capitals that are no acronym.
NOT_ACRONYMS = _words("""
MUST NOT REQUIRED SHALL SHOULD RECOMMENDED MAY OPTIONAL AND OR ALL NO YES TODO XXX NOTE FIXME OK
IMHO IMO IIRC BTW FYI AKA ETA TBD TBC NB PS API ID IDS PEP PEPS NEVER ALWAYS ONLY NOW NEW OLD
THE IS IT IF OF TO IN ON AT BY BE AS AN WE DO SO UP FOR NAME VALUE TYPE TRUE FALSE NONE NULL
WARNING ERROR INFO DEBUG SEVERE CRITICAL FAIL FAILED PASS OKAY DONE END BEGIN EOF EOL FAQ
STATUS ABSTRACT RATIONALE SPECIFICATION MOTIVATION UPDATE EDIT DRAFT FINAL ACCEPTED REJECTED
PRE POST GET SET PUT DELETE HEAD USA UK EU AM PM BC AD VS IE EG ETC RFC URL URI URLS RAM CPU
OS UI IO EST TOTAL MIN MAX AVG EXPR VAR BLOCK STMT ARGS
""")

# PEP and e-mail style document header fields: skipped lines, except the people in some of them.
HEADER_FIELDS = _words(
    """pep title version last-modified author authors sponsor bdfl-delegate pep-delegate delegate
    discussions-to status type topic content-type requires created python-version post-history
    replaces superseded-by resolution editor editors track release-manager"""
)
PERSON_FIELDS = _words("author authors sponsor bdfl-delegate pep-delegate delegate editor editors")
PEP_LIST_FIELDS = _words("requires replaces superseded-by")

# Name particles inside a person's name ("Guido van Rossum", "Martin von Löwis").
NAME_PARTICLES = "van|von|der|den|de|da|del|della|di|du|la|le|ter|bin|ibn|al|dos|das|y"

# -ed words that are part of technical terms ("named tuple", "nested scopes").
ED_TERMS = _words("""
named nested qualified typed compiled decorated bound unbound embedded shared reserved frozen
threaded structured unstructured keyed ordered unordered signed unsigned mixed tagged weighted
buffered unbuffered scoped vectorized packed nested parameterized parametrized generalized
specialized synchronized annotated
""")

# Adjective-shaped endings: such a word cannot end (head) a term.
ADJECTIVE_ENDINGS = ("able", "ible", "ous", "ful", "less", "ive", "ary", "ish")

# Placeholder identifiers of examples: no entity.
PLACEHOLDERS = _words("""
foo bar baz qux quux spam eggs ham self cls args kwargs arg kwarg obj func fn tmp val var
my_function my_func my_class some_function some_func
""")

# Well-known file names that are entities despite their file shape.
KNOWN_FILES = _words("""
setup.py setup.cfg pyproject.toml __init__.py __main__.py requirements.txt site.py sitecustomize.py
usercustomize.py conftest.py manifest.in pipfile pipfile.lock metadata record wheel pkg-info
""")
FILE_SUFFIXES = _words("""
py pyc pyo pyd pyi pyw txt rst md html htm xml json toml cfg ini yaml yml c h cpp hpp so dll dylib
exe zip whl gz tgz tar bz2 xz egg org com net io edu gov dev uk de fr jp png jpg gif svg pdf csv
sh bat ps1 in lock
""")

# Standard-library and well-known third-party modules whose bare name is never English.
MODULES_ALWAYS = _words("""
argparse asyncio asyncore asynchat atexit audioop base64 bdb binascii bisect builtins bz2 cgitb
cmath codecs codeop colorsys compileall configparser contextlib contextvars copyreg ctypes
dataclasses datetime difflib distutils doctest ensurepip faulthandler fcntl filecmp fileinput
fnmatch ftplib functools getopt getpass gettext graphlib gzip hashlib heapq hmac imaplib imghdr
importlib ipaddress itertools json lib2to3 linecache lzma mailcap mimetypes mmap modulefinder
msilib msvcrt multiprocessing netrc nntplib ntpath optparse ossaudiodev pathlib pdb pickle
pickletools pkgutil plistlib poplib posixpath pprint pstats pyclbr pydoc pyexpat quopri readline
reprlib rlcompleter runpy sched selectors shelve shlex shutil smtpd smtplib sndhdr socketserver
sqlite3 sre_compile sre_parse ssl statistics stringprep subprocess sunau symtable sysconfig
syslog tabnanny tarfile telnetlib tempfile termios textwrap threading timeit tkinter tokenize
tomllib tracemalloc typing unicodedata unittest urllib urllib2 urlparse uuid venv weakref
webbrowser winreg _winreg winsound wsgiref xdrlib xmlrpc xmlrpclib zipapp zipfile zipimport zlib
zoneinfo os sys numpy scipy pandas setuptools pip virtualenv mypy pytest pyflakes pylint pyright
pytype docutils pipenv pipx twine isort flake8 cffi pybind11 typeshed asyncpg aiohttp
importlib_metadata importlib_resources typing_extensions __future__ __main__ __builtin__ cpickle
""")
# Module names that are also English words: entities only where the context says module.
MODULES_CONTEXT = _words("""
abc array ast calendar cgi cmd collections copy crypt csv curses dbm decimal dis email
encodings enum errno gc glob grp html http imp inspect io keyword locale logging mailbox marshal
math nis numbers opcode operator platform posix queue random re secrets select signal socket stat
string struct time token traceback tty turtle types uu warnings wave xml sets sha md5 thread
dummy_thread
""")

# Words that open a sentence or heading, never a name ("However Python ..." is no name).
SENTENCE_OPENERS = _words("""
however also see note thus therefore for in this that these those such then when where with
without if although because since unlike like instead otherwise finally first second currently
today now here there both each every many most some all any specifically similarly additionally
furthermore moreover consider given example for instead whether what which who why how dear hi
hello thanks thank regards cheers sincerely why please unfortunately luckily obviously clearly
""")

# Single capitalized words that are names even when they occur once.
KNOWN_NAMES = _words("""
guido linux windows unix unicode jython ironpython cython django zope sphinx conda anaconda
solaris freebsd android ubuntu debian fedora homebrew emacs vim java javascript perl ruby rust
haskell lisp smalltalk fortran golang tcl tk
""")

# -ly words that are nouns, not adverbs.
LY_NOUNS = _words("assembly family anomaly supply reply apply monopoly ally rely butterfly jelly")

# Head nouns of software terms (singular). A key term must end in one ("walrus operator",
# "type hint", "context manager", "garbage collection") unless it recurs in its chunk: most
# two-word phrases of ordinary prose ("success story", "user expectations") end in another.
TECH_HEADS = _words("""
function method class type object module package variable argument parameter attribute property
field member expression statement operator operand keyword syntax grammar token literal string
byte bytes integer tuple dict dictionary array sequence mapping iterator iterable generator
coroutine decorator comprehension annotation hint checker handler manager allocator allocation
collector collection loop scope namespace closure frame stack heap queue lock mutex thread
interpreter compiler parser lexer tokenizer bytecode opcode instruction machine server protocol
interface api abi library framework toolchain installer wheel distribution archive directory
format encoding codec character locale signature hash digest certificate validation verification
negotiation authentication authorization encryption cipher release branch repository tracker
index registry metadata schema extension plugin hook callback event signal exception traceback
debugger profiler tracer suite benchmark cache buffer pointer reference counter slot descriptor
metaclass subclass superclass inheritance mixin constructor initializer finalizer destructor
dispatch overload alias union generic constraint variance pattern clause block docstring shell
prompt repl console stream pipe socket loader finder importer import system specifier marker
backend frontend endpoint url uri header payload request response session cookie database query
table index column transaction cursor driver kernel process subprocess executor future task
scheduler timer clock timezone calendar path filename checksum identifier name enum flag
constant literal value specification grammar rule production ast node tree graph serializer
serialization deserialization marshalling pickle compression decompression checkpoint build
compilation linker linking memory garbage collection interpreter vm jit cpu gpu
handling checking formatting matching counting parsing caching hashing packaging typing testing
logging profiling tracing debugging indexing slicing unpacking scheduling locking threading
versioning subclassing inlining embedding signing binding scoping nesting quoting escaping
council steering
""")

# Software heads so common that "<word> name" or "<word> value" is rarely a term of its own:
# such a phrase must recur in its chunk.
WEAK_HEADS = _words("name value object field format array memory file type directory path data")

# Python's builtins (and Python 2's): a plain word written as code is an entity when it is one.
BUILTINS = _words("""
abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile
complex delattr dict dir divmod enumerate eval exec filter float format frozenset getattr globals
hasattr hash help hex id input int isinstance issubclass iter len list locals map max memoryview
min next object oct open ord pow print property range repr reversed round set setattr slice sorted
staticmethod str sum super tuple type vars zip apply basestring buffer cmp coerce execfile file
intern long raw_input reduce reload unichr unicode xrange frozendict
""")
