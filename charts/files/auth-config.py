import configparser, os
config = configparser.ConfigParser(interpolation=None)
config.read("/etc/mlflow/auth-base/basic_auth.ini")
for key in ("admin_username", "admin_password", "database_uri"):
    value = os.environ.get("AUTH_" + key.upper())
    if value:
        config["mlflow"][key] = value.replace("%", "%%")
with open("/etc/mlflow/auth/basic_auth.ini", "w") as ini:
    config.write(ini)
os.chmod("/etc/mlflow/auth/basic_auth.ini", 0o400)
