import os, sys
import sqlalchemy
from mlflow.cli import cli

def fail(text):
    print(f"FAILED: {text}", flush=True)
    sys.exit(1)

def has_tables(uri):
    engine = sqlalchemy.create_engine(uri)
    try:
        return bool(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()

backend = os.environ["MLFLOW_BACKEND_STORE_URI"]
registry = os.environ.get("MLFLOW_REGISTRY_STORE_URI") or backend
auth = os.environ.get("MLFLOW_AUTH_DATABASE_URI")
for name, uri in (("backend store", backend), ("registry store", registry), ("users database", auth)):
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
        if not users.has_user(admin):
            users.create_user(admin, password, is_admin=True)
            print(f"admin user {admin!r} created from auth.admin.existingSecret", flush=True)
        elif users.authenticate_user(admin, password):
            print(f"admin user {admin!r} already has the password of auth.admin.existingSecret", flush=True)
        else:
            users.update_user(admin, password=password, is_admin=True)
            print(f"admin user {admin!r}: password set from auth.admin.existingSecret", flush=True)

oidc = os.environ.get("OIDC_USERS_DB_URI")
if oidc:
    if oidc.split(":", 1)[0] == "postgres":
        fail("the SSO users database URI has the scheme postgres, an alias SQLAlchemy refuses; write it as postgresql")
    try:
        from mlflow_oidc_auth.sqlalchemy_store import SqlAlchemyStore as OidcStore
    except ImportError as error:
        fail(f"auth.oidc is on, but the image has no mlflow-oidc-auth plugin ({error}); use an image built with it (README, SSO)")
    shared = os.environ.get("OIDC_ALEMBIC_VERSION_TABLE")
    if shared:
        engine = sqlalchemy.create_engine(oidc)
        try:
            tables = sqlalchemy.inspect(engine).get_table_names()
        finally:
            engine.dispose()
        if "users" in tables and shared not in tables:
            fail("the tracking database already has a users table (MLflow's basic auth), which the SSO plugin's would collide with; give single sign-on a database of its own: auth.oidc.databaseUriFrom")
    sso = OidcStore()
    sso.init_db(oidc)  # the plugin's own migrations, to its newest revision
    print("SSO users database ready", flush=True)
    account, token = os.environ.get("MLFLOW_OIDC_SERVICE_ACCOUNT_USERNAME"), os.environ.get("MLFLOW_OIDC_SERVICE_ACCOUNT_PASSWORD")
    if account and token:
        if not sso.has_user(account):
            sso.create_user(account, token, account, is_admin=True, is_service_account=True)
            print(f"service account {account!r} created from auth.oidc.serviceAccount.existingSecret", flush=True)
        elif sso.authenticate_user(account, token):
            print(f"service account {account!r} already has the token of auth.oidc.serviceAccount.existingSecret", flush=True)
        else:
            sso.update_user(account, password=token, is_admin=True, is_service_account=True)
            print(f"service account {account!r}: token set from auth.oidc.serviceAccount.existingSecret", flush=True)
print("migrations done", flush=True)
