import os, sys
import sqlalchemy
from mlflow.cli import cli

def fail(text):
    print(f"FAILED: {text}", flush=True)
    sys.exit(1)

def table_names(uri):
    engine = sqlalchemy.create_engine(uri)
    try:
        return sqlalchemy.inspect(engine).get_table_names()
    finally:
        engine.dispose()

def has_tables(uri):
    return bool(table_names(uri))

def ensure_user(store, name, secret, what, word, source, create, update):
    """Creates the user, or gives it the Secret's password or token: a changed Secret takes effect with the next upgrade."""
    if not store.has_user(name):
        create()
        print(f"{what} {name!r} created from {source}", flush=True)
    elif store.authenticate_user(name, secret):
        print(f"{what} {name!r} already has the {word} of {source}", flush=True)
    else:
        update()
        print(f"{what} {name!r}: {word} set from {source}", flush=True)

backend = os.environ["MLFLOW_BACKEND_STORE_URI"]
registry = os.environ.get("MLFLOW_REGISTRY_STORE_URI") or backend
auth = os.environ.get("MLFLOW_AUTH_DATABASE_URI")
oidc = os.environ.get("OIDC_USERS_DB_URI")
for name, uri in (("backend store", backend), ("registry store", registry), ("users database", auth), ("SSO users database", oidc)):
    if uri and uri.split(":", 1)[0] == "postgres":
        fail(f"the {name} URI has the scheme postgres, an alias SQLAlchemy refuses; write it as postgresql in the Secret")

tracking = os.environ.get("MLFLOW_MIGRATE_TRACKING", "true") != "false"
stores = [("backend store", backend)] + ([("registry store", registry)] if registry != backend else [])
for name, uri in stores if tracking else []:
    if has_tables(uri):
        print(f"{name}: upgrading the schema", flush=True)
        cli.main(args=["db", "upgrade", uri], standalone_mode=False)
    else:
        print(f"{name}: empty database, creating the schema", flush=True)

from mlflow.server.handlers import initialize_backend_stores
from mlflow.utils.server_cli_utils import resolve_default_artifact_root
if tracking:
    root = resolve_default_artifact_root(True, os.environ.get("MLFLOW_DEFAULT_ARTIFACT_ROOT"), backend)
    initialize_backend_stores(backend, registry, root)
    print("tracking stores ready", flush=True)

if auth:
    from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore
    users = SqlAlchemyStore()
    users.init_db(auth)
    print("users database ready", flush=True)
    admin, password = os.environ.get("MLFLOW_AUTH_ADMIN_USERNAME"), os.environ.get("MLFLOW_AUTH_ADMIN_PASSWORD")
    if admin and password:
        ensure_user(users, admin, password, "admin user", "password", "auth.admin.existingSecret",
                    lambda: users.create_user(admin, password, is_admin=True),
                    lambda: users.update_user(admin, password=password, is_admin=True))

if oidc:
    try:
        from mlflow_oidc_auth.sqlalchemy_store import SqlAlchemyStore as OidcStore
    except ImportError as error:
        fail(f"auth.oidc is on, but the image has no mlflow-oidc-auth plugin ({error}); use an image built with it (README, SSO)")
    shared = os.environ.get("OIDC_ALEMBIC_VERSION_TABLE")
    if shared:
        tables = table_names(oidc)
        if "users" in tables and shared not in tables:
            fail("the tracking database already has a users table (MLflow's basic auth), which the SSO plugin's would collide with; give single sign-on a database of its own: auth.oidc.databaseUriFrom")
    sso = OidcStore()
    sso.init_db(oidc)  # the plugin's own migrations, to its newest revision
    print("SSO users database ready", flush=True)
    account, token = os.environ.get("MLFLOW_OIDC_SERVICE_ACCOUNT_USERNAME"), os.environ.get("MLFLOW_OIDC_SERVICE_ACCOUNT_PASSWORD")
    if account and token:
        ensure_user(sso, account, token, "service account", "token", "auth.oidc.serviceAccount.existingSecret",
                    lambda: sso.create_user(account, token, account, is_admin=True, is_service_account=True),
                    lambda: sso.update_user(account, password=token, is_admin=True, is_service_account=True))
print("migrations done", flush=True)
