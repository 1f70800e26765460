import os, sys, time
import requests
import mlflow
from mlflow import MlflowClient

uri = os.environ["MLFLOW_TRACKING_URI"]
verify = os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH", True)

def step(text):
    print(f"--- {text}", flush=True)

def check(ok, text):
    if not ok:
        print(f"FAILED: {text}", flush=True)
        sys.exit(1)

step(f"GET {uri}/health")
try:
    answer = requests.get(f"{uri}/health", timeout=30, verify=verify)
except requests.exceptions.ConnectionError as error:
    check(False, f"no server answers at {uri} ({type(error).__name__}).\n{os.environ.get('MLFLOW_TEST_NOT_SERVING_HINT', '')}")
# MLflow answers "OK"; under the SSO plugin its own health route answers {"status": "ok"}.
healthy = answer.text.strip() == "OK" or answer.text.strip().replace(" ", "") == '{"status":"ok"}'
check(answer.status_code == 200 and healthy, f"/health answered {answer.status_code}: {answer.text[:200]}")

if os.environ.get("MLFLOW_TEST_AUTH_WITHOUT_USER") == "true":
    step("auth: the API must refuse a request without credentials")
    answer = requests.get(f"{uri}/api/2.0/mlflow/experiments/search?max_results=1", timeout=30, verify=verify)
    check(answer.status_code == 401, f"expected 401 without credentials, got {answer.status_code}")
    print("The API refuses anonymous requests. Set auth.admin.existingSecret (basic auth) or auth.oidc.serviceAccount.existingSecret (SSO) to let helm test run the full client flow.")
    sys.exit(0)

mlflow.set_tracking_uri(uri)
client = MlflowClient()
step("create an experiment")
experiment = mlflow.create_experiment(f"helm-test-{int(time.time())}")
step("start a run, log a parameter and a metric, upload an artifact")
with mlflow.start_run(experiment_id=experiment) as run:
    mlflow.log_param("learning_rate", 0.01)
    mlflow.log_metric("accuracy", 0.95)
    mlflow.log_text("written by helm test\n", "helm-test/hello.txt")
step("read the run back")
stored = client.get_run(run.info.run_id)
check(stored.data.params.get("learning_rate") == "0.01", f"parameter read back as {stored.data.params}")
check(stored.data.metrics.get("accuracy") == 0.95, f"metric read back as {stored.data.metrics}")
step("download the artifact")
text = mlflow.artifacts.load_text(f"{run.info.artifact_uri}/helm-test/hello.txt")
check(text == "written by helm test\n", f"artifact read back as {text!r}")
step("delete the test experiment (mlflow gc removes it for good later)")
client.delete_experiment(experiment)
print("helm test: every step passed", flush=True)
