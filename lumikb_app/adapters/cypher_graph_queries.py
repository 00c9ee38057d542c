"""The Cypher text of the server graph store (`cypher_graph.py`), in the dialect both Neo4j and
FalkorDB accept. Relationship patterns are directed wherever a relationship property is
filtered: FalkorDB drops one direction when an undirected pattern is filtered on an indexed
relationship property."""

ENTITY_FIELDS = """e.id AS id, e.kb_id AS kb_id, e.key AS key, e.name AS name, e.type AS type,
       e.description AS description, e.aliases AS aliases, e.community AS community,
       e.mentions AS mentions"""
RELATION_FIELDS = """r.id AS id, r.kb_id AS kb_id, s.id AS source_id, t.id AS target_id,
       r.type AS type, r.document_id AS document_id, r.weight AS weight,
       r.evidence AS evidence, r.chunk_id AS chunk_id"""
MENTION_FIELDS = """m.id AS id, m.kb_id AS kb_id, e.id AS entity_id, m.document_id AS document_id,
       c.id AS chunk_id, m.char_start AS char_start, m.char_end AS char_end"""

# -- single upserts ------------------------------------------------------------

ENTITY_SLOTS = """
OPTIONAL MATCH (by_id:Entity {id: $id})
OPTIONAL MATCH (by_key:Entity {kb_id: $kb_id, key: $key})
RETURN by_id.kb_id AS owner, by_key.id AS key_holder
"""
ENTITY_BY_ID = f"MATCH (e:Entity {{id: $id}}) RETURN {ENTITY_FIELDS}"
ENTITY_BY_KEY = f"MATCH (e:Entity {{kb_id: $kb_id, key: $key}}) RETURN {ENTITY_FIELDS}"
_SET_ENTITY = """
SET e.name = row.name, e.type = row.type, e.description = row.description,
    e.aliases = row.aliases"""
MERGE_ENTITIES = (
    "UNWIND $rows AS row MERGE (e:Entity {kb_id: $kb_id, key: row.key})"
    " ON CREATE SET e.id = row.id, e.mentions = 0" + _SET_ENTITY
)
UPDATE_ENTITY = (
    "UNWIND $rows AS row MATCH (e:Entity {id: row.id}) SET e.key = row.key" + _SET_ENTITY
)
ENTITY_IDS_IN_KB = "MATCH (e:Entity) WHERE e.id IN $ids AND e.kb_id = $kb_id RETURN e.id AS id"

RELATION_NOW = """
MATCH (s:Entity)-[r:REL {id: $id}]->(t:Entity)
RETURN r.kb_id AS kb_id, s.id AS source_id, t.id AS target_id
"""
DROP_RELATION = "MATCH ()-[r:REL {id: $id}]->() DELETE r"
MERGE_RELATION = """
MATCH (s:Entity {id: $source_id, kb_id: $kb_id}), (t:Entity {id: $target_id, kb_id: $kb_id})
MERGE (s)-[r:REL {id: $id}]->(t)
SET r.kb_id = $kb_id, r.type = $type, r.document_id = $document_id, r.weight = $weight,
    r.evidence = $evidence, r.chunk_id = $chunk_id
"""

MENTION_NOW = """
MATCH (e:Entity)-[m:MENTIONED_IN {id: $id}]->(c:Chunk)
RETURN m.kb_id AS kb_id, e.id AS entity_id, c.id AS chunk_id
"""
DROP_MENTION = "MATCH ()-[m:MENTIONED_IN {id: $id}]->() DELETE m"
MERGE_MENTION = """
MATCH (e:Entity {id: $entity_id, kb_id: $kb_id})
MERGE (c:Chunk {id: $chunk_id})
ON CREATE SET c.kb_id = $kb_id, c.document_id = $document_id
MERGE (e)-[m:MENTIONED_IN {id: $id}]->(c)
SET m.kb_id = $kb_id, m.document_id = $document_id, m.char_start = $char_start,
    m.char_end = $char_end
"""

# -- documents -----------------------------------------------------------------

_DOCUMENT_EDGES = "WHERE x.kb_id = $kb_id AND x.document_id = $document_id"
# Unlabelled ends: FalkorDB then finds the document's edges through their index alone
# instead of scanning every Entity for them.
TOUCHED_BY_RELATIONS = (
    f"MATCH (s)-[x:REL]->(t) {_DOCUMENT_EDGES} RETURN s.id AS source_id, t.id AS target_id"
)
TOUCHED_BY_MENTIONS = f"MATCH (e)-[x:MENTIONED_IN]->() {_DOCUMENT_EDGES} RETURN DISTINCT e.id AS id"
DELETE_RELATIONS = f"MATCH ()-[x:REL]->() {_DOCUMENT_EDGES} DELETE x"
DELETE_MENTIONS = f"MATCH ()-[x:MENTIONED_IN]->() {_DOCUMENT_EDGES} DELETE x"
DELETE_UNUSED_CHUNKS = """
MATCH (c:Chunk {kb_id: $kb_id, document_id: $document_id})
OPTIONAL MATCH (c)<-[m:MENTIONED_IN]-()
WITH c, count(m) AS mentions WHERE mentions = 0
DELETE c
"""
ENTITIES_BY_KEYS_IN_KB = (
    f"MATCH (e:Entity) WHERE e.key IN $keys AND e.kb_id = $kb_id RETURN {ENTITY_FIELDS}"
)
CREATE_MENTIONS = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.entity_id})
MERGE (c:Chunk {id: row.chunk_id})
ON CREATE SET c.kb_id = $kb_id, c.document_id = $document_id
CREATE (e)-[:MENTIONED_IN {id: row.id, kb_id: $kb_id, document_id: $document_id,
                           char_start: row.char_start, char_end: row.char_end}]->(c)
"""
CREATE_RELATIONS = """
UNWIND $rows AS row
MATCH (s:Entity {id: row.source_id}), (t:Entity {id: row.target_id})
CREATE (s)-[:REL {id: row.id, kb_id: $kb_id, type: row.type, document_id: $document_id,
                  weight: row.weight, evidence: row.evidence, chunk_id: row.chunk_id}]->(t)
"""
RECOUNT_MENTIONS = """
UNWIND $ids AS entity_id
MATCH (e:Entity {id: entity_id})
OPTIONAL MATCH (e)-[m:MENTIONED_IN]->()
WITH e, count(m) AS mentions
SET e.mentions = mentions
"""
# Run after RECOUNT_MENTIONS: only an entity nothing mentions is checked for relations, and
# only for one (counting a hub's thousands of edges would be wasted).
DELETE_ORPHANS = """
UNWIND $ids AS entity_id
MATCH (e:Entity {id: entity_id})
WHERE e.kb_id = $kb_id AND e.mentions = 0 AND NOT (e)-[:REL]-()
DELETE e
"""

# -- communities ---------------------------------------------------------------

CLEAR_COMMUNITIES = (
    "MATCH (e:Entity {kb_id: $kb_id}) WHERE e.community IS NOT NULL SET e.community = NULL"
)
SET_COMMUNITIES = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
WHERE e.kb_id = $kb_id
SET e.community = row.community
"""

# -- reads ---------------------------------------------------------------------

# Relations only ever join entities of one KB (every write checks it), so a walk from the
# KB's seeds stays in it; the entities returned are still checked. Sorting and cutting in
# the engine spares sending every neighbour of a hub.
STEP = """
MATCH (a:Entity) WHERE a.id IN $frontier AND a.kb_id = $kb_id
MATCH (a)-[:REL]-(b) WHERE NOT b.id IN $seen
RETURN DISTINCT b.id AS id ORDER BY id LIMIT $room
"""
ENTITIES_BY_ID = (
    f"MATCH (e:Entity) WHERE e.id IN $ids AND e.kb_id IN $kb_ids RETURN {ENTITY_FIELDS}"
)
ENTITIES_BY_KEY = (
    f"MATCH (e:Entity) WHERE e.key IN $keys AND e.kb_id IN $kb_ids RETURN {ENTITY_FIELDS}"
)
# Each ordered pair of kept entities is looked up directly (FalkorDB: Expand Into), and a
# pair's parallel relations (one per document) fold into the heaviest, ties by id, carrying
# the summed weight.
RELATIONS_AMONG = """
MATCH (n:Entity) WHERE n.id IN $ids AND n.kb_id = $kb_id
WITH collect(n) AS kept
UNWIND kept AS s
UNWIND kept AS t
MATCH (s)-[r:REL]->(t) WHERE r.kb_id = $kb_id
WITH s, t, r.type AS type, collect(r) AS parallel, sum(r.weight) AS total
WITH s, t, type, total, reduce(best = head(parallel), x IN parallel |
     CASE WHEN x.weight > best.weight OR (x.weight = best.weight AND x.id < best.id)
          THEN x ELSE best END) AS r
RETURN r.id AS id, r.kb_id AS kb_id, s.id AS source_id, t.id AS target_id, type,
       r.document_id AS document_id, total AS weight, r.evidence AS evidence,
       r.chunk_id AS chunk_id
"""
RELATIONS_OF = f"""
MATCH (s:Entity {{id: $id}})-[r:REL]->(t:Entity)
WHERE r.kb_id IN $kb_ids
RETURN {RELATION_FIELDS}
ORDER BY weight DESC, id LIMIT $limit
UNION
MATCH (s:Entity)-[r:REL]->(t:Entity {{id: $id}})
WHERE r.kb_id IN $kb_ids
RETURN {RELATION_FIELDS}
ORDER BY weight DESC, id LIMIT $limit
"""
EDGES = """
MATCH (s:Entity {kb_id: $kb_id})-[r:REL]->(t:Entity)
WHERE r.kb_id = $kb_id
RETURN s.id AS source_id, t.id AS target_id, sum(r.weight) AS weight
"""
MENTIONS_OF = f"""
MATCH (e:Entity)-[m:MENTIONED_IN]->(c:Chunk)
WHERE e.id IN $ids AND m.kb_id IN $kb_ids
RETURN {MENTION_FIELDS}
ORDER BY document_id, chunk_id, char_start, id LIMIT $limit
"""
MENTIONS_IN_CHUNKS = f"""
MATCH (e:Entity)-[m:MENTIONED_IN]->(c:Chunk)
WHERE c.id IN $ids AND m.kb_id IN $kb_ids
RETURN {MENTION_FIELDS}
ORDER BY document_id, chunk_id, char_start, id
"""
COUNT_ENTITIES = """
MATCH (e:Entity {kb_id: $kb_id})
RETURN count(e) AS entities, count(DISTINCT e.community) AS communities
"""
COUNT_RELATIONS = "MATCH (e:Entity {kb_id: $kb_id})-[r:REL]->() RETURN count(r) AS n"
COUNT_MENTIONS = "MATCH (e:Entity {kb_id: $kb_id})-[m:MENTIONED_IN]->() RETURN count(m) AS n"


def find_entities(*, match: str, types: bool, community: bool) -> str:
    """Entities of the KBs whose key matches `match` ("prefix", "contains" or "any")."""
    where = ["e.kb_id IN $kb_ids"]
    if match == "prefix":
        where.append("e.key STARTS WITH $key")
    elif match == "contains":
        where.append("e.key CONTAINS $key AND NOT e.key STARTS WITH $key")
    if types:
        where.append("e.type IN $types")
    if community:
        where.append("e.community = $community")
    return f"""
MATCH (e:Entity) WHERE {" AND ".join(where)}
RETURN {ENTITY_FIELDS}
ORDER BY mentions DESC, key, kb_id LIMIT $limit
"""
