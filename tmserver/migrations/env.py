"""Alembic environment: runs against the engine handed in by ``tmserver.store.db.upgrade``."""

from alembic import context

# Every module that declares tables on ``Base.metadata`` is imported here, so that autogenerate
# (``alembic check`` / ``revision --autogenerate``) compares the whole schema, not just the core's.
import tmserver.glossary.model  # noqa: F401  (glossary_concepts, glossary_terms, …)
import tmserver.qa.suppress  # noqa: F401  (qa_suppressions)
from tmserver.store.db import make_engine
from tmserver.store.models import Base

config = context.config
target_metadata = Base.metadata

#: Schema objects that only one dialect has, created by their migration rather than by a model:
#: PostgreSQL's ``segment_changes.xid`` (the writing transaction, ``0005_change_xid``), which the
#: change-log follower reads with SQL of its own. Autogenerate must not propose dropping them.
DIALECT_ONLY = {("column", "xid"), ("index", "ix_segment_changes_xid")}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (reflected and compare_to is None and (type_, name) in DIALECT_ONLY)


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic` command line: use sqlalchemy.url from the ini

        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no database: set sqlalchemy.url in the alembic ini (tmserver itself hands in an engine)")
        engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
