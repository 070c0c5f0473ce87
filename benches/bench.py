#!/usr/bin/env python3
"""Benchmark: scan deterministic synthetic monorepos of 1, 10 and 100 MB and the bundled samples.

    python3 benches/bench.py [SIZE_MB ...]           (default: 1 10 100)
    python3 benches/bench.py --shapes [SIZE_MB ...]  (also the three shapes below; sizes
                                                    default to none with --shapes)

Builds the release binary, writes each tree once under the system temp directory (the same bytes
every time: no randomness), scans it three times in each of json, sarif, text, markdown and
junit and prints a row per format: wall and CPU time, MB/s, files/s, peak memory (the scanner's own
maximum resident set, from wait4), memory per input byte, the memory goal (3 x input + 50 MB)
and the report's size. Targets: >= 20 MB/s end to end, throughput at 100 MB within a factor of
2 of 1 MB, peak memory under 3 x input + 50 MB, and the sample configs in under 50 ms from
process start.

The shapes: 4,400 small files (400 copies of 8 small deployments with distinct names), 8
Terraform files of about 1.2 MB (20,000 DynamoDB tables with replicas), and 400 copies of 8
deployments with the same names (linear, like the others: tests/linear.rs checks it by counts).

Each generated root module has two providers (one aliased, its region from a variable set in
terraform.tfvars), a local module called with a providers map, an SES receipt rule writing to a
bucket, S3 replication, an AWS Backup plan with a cross-region copy, a DynamoDB global table, SES
event publishing through Firehose, and ordinary infrastructure around it; every fifth stack adds
a CloudFormation template and every seventh an Azure ARM template.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Cargo builds into CARGO_TARGET_DIR when it is set (a relative one is taken from the project).
TARGET_DIR = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR") or "target")
BINARY = os.path.join(TARGET_DIR, "release", "residency")
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2", "eu-north-1"]

MODULE = """variable "name" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = var.tags
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

output "arn" {
  value = aws_s3_bucket.this.arn
}
"""


def stack_tf(i):
    region = REGIONS[i % len(REGIONS)]
    dr = REGIONS[(i + 2) % len(REGIONS)]
    filler = []
    for j in range(12):
        filler.append(f"""
resource "aws_security_group" "app_{j}" {{
  name        = "app-{i}-{j}"
  description = "application tier {j} of stack {i}"
  vpc_id      = "vpc-{i:08x}"

  ingress {{
    from_port   = {8000 + j}
    to_port     = {8000 + j}
    protocol    = "tcp"
    cidr_blocks = ["10.{i % 250}.{j}.0/24"]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = merge(local.tags, {{ Name = "app-{i}-{j}" }})
}}
""")
    return f"""provider "aws" {{
  region = var.region
}}

provider "aws" {{
  alias  = "dr"
  region = var.dr_region
}}

locals {{
  name = "mail-{i}"
  tags = {{
    team        = "mail"
    stack       = "{i}"
    cost_center = "cc-{i % 17}"
  }}
}}

resource "aws_ses_receipt_rule" "inbound" {{
  name          = "inbound-{i}"
  rule_set_name = "default"
  recipients    = ["stack{i}.example.org"]
  enabled       = true
  s3_action {{
    position    = 1
    bucket_name = aws_s3_bucket.inbox.bucket
  }}
  sns_action {{
    position  = 2
    topic_arn = "arn:aws:sns:{region}:123456789012:mail-{i}"
  }}
}}

resource "aws_s3_bucket" "inbox" {{
  bucket = "${{local.name}}-inbox"
  tags   = local.tags
}}

resource "aws_s3_bucket_replication_configuration" "dr" {{
  bucket = aws_s3_bucket.inbox.id
  role   = "arn:aws:iam::123456789012:role/replication"
  rule {{
    id     = "all"
    status = "Enabled"
    destination {{
      bucket = module.replica.arn
    }}
  }}
}}

module "replica" {{
  source    = "../../modules/replica"
  name      = "${{local.name}}-replica"
  tags      = local.tags
  providers = {{
    aws = aws.dr
  }}
}}

resource "aws_backup_vault" "mail" {{
  name = "${{local.name}}-vault"
}}

resource "aws_backup_plan" "mail" {{
  name = "${{local.name}}-plan"
  rule {{
    rule_name         = "nightly"
    target_vault_name = aws_backup_vault.mail.name
    schedule          = "cron(0 2 * * ? *)"
    copy_action {{
      destination_vault_arn = "arn:aws:backup:{dr}:123456789012:backup-vault:offsite-{i}"
    }}
  }}
}}

resource "aws_backup_selection" "mail" {{
  name         = "${{local.name}}-selection"
  plan_id      = aws_backup_plan.mail.id
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
  resources    = [aws_s3_bucket.inbox.arn, aws_dynamodb_table.threads.arn]
}}

resource "aws_dynamodb_table" "threads" {{
  name     = "${{local.name}}-threads"
  hash_key = "id"
  attribute {{
    name = "id"
    type = "S"
  }}
  replica {{
    region_name = "{dr}"
  }}
  tags = local.tags
}}

resource "aws_ses_configuration_set" "outbound" {{
  name = "${{local.name}}-outbound"
}}

resource "aws_ses_event_destination" "events" {{
  name                   = "events"
  configuration_set_name = aws_ses_configuration_set.outbound.name
  enabled                = true
  matching_types         = ["send", "delivery", "bounce"]
  kinesis_destination {{
    stream_arn = aws_kinesis_firehose_delivery_stream.events.arn
    role_arn   = "arn:aws:iam::123456789012:role/ses"
  }}
}}

resource "aws_kinesis_firehose_delivery_stream" "events" {{
  name        = "${{local.name}}-events"
  destination = "extended_s3"
  extended_s3_configuration {{
    role_arn   = "arn:aws:iam::123456789012:role/firehose"
    bucket_arn = aws_s3_bucket.events.arn
  }}
}}

resource "aws_s3_bucket" "events" {{
  provider = aws.dr
  bucket   = "${{local.name}}-events"
}}
{"".join(filler)}"""


def variables_tf():
    return """variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "dr_region" {
  type = string
}
"""


def cfn(i):
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Description: mail stack {i}
Parameters:
  Env:
    Type: String
    Default: prod
Resources:
  Rule:
    Type: AWS::SES::ReceiptRule
    Properties:
      RuleSetName: default
      Rule:
        Enabled: true
        Recipients: [cfn{i}.example.org]
        Actions:
          - S3Action:
              BucketName: !Ref Box
  Box:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "cfn-{i}-${{Env}}"
      ReplicationConfiguration:
        Role: arn:aws:iam::123456789012:role/replication
        Rules:
          - Status: Enabled
            Destination:
              Bucket: arn:aws:s3:::cfn-{i}-replica
"""


def arm(i):
    return f"""{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{"location": {{"type": "string", "defaultValue": "[resourceGroup().location]"}}}},
  "resources": [
    {{
      "type": "Microsoft.Storage/storageAccounts",
      "apiVersion": "2023-01-01",
      "name": "mail{i}",
      "location": "[parameters('location')]",
      "sku": {{"name": "Standard_GRS"}},
      "kind": "StorageV2"
    }}
  ]
}}
"""


def manifest(i):
    return f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: mail{i}
  namespace: mail{i}
spec:
  template:
    spec:
      nodeSelector:
        topology.kubernetes.io/region: {REGIONS[i % len(REGIONS)]}
      containers:
        - name: mail
          image: docker.io/mailserver/docker-mailserver:14
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        storageClassName: gp3
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: gp3
provisioner: ebs.csi.aws.com
"""


def plan(i):
    """A `terraform show -json` plan of a rule, its bucket on an aliased provider, and a replica."""
    import json
    resource = lambda kind, name, values: {
        "address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws", "values": values}
    config = lambda kind, name, key, expressions: {
        "address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name,
        "provider_config_key": key, "expressions": expressions}
    return json.dumps({
        "format_version": "1.2",
        "variables": {"dr_region": {"value": REGIONS[(i + 3) % len(REGIONS)]}},
        "planned_values": {"root_module": {"resources": [
            resource("aws_ses_receipt_rule", "in", {"name": f"in{i}", "s3_action": [{"bucket_name": f"plan-{i}", "position": 1}]}),
            resource("aws_s3_bucket", "store", {"bucket": f"plan-{i}"}),
            resource("aws_s3_bucket", "dr", {"bucket": f"plan-{i}-dr"}),
            resource("aws_s3_bucket_replication_configuration", "dr", {"rule": [{"destination": [{}]}]}),
        ]}},
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": REGIONS[i % len(REGIONS)]}}},
                "aws.dr": {"name": "aws", "alias": "dr", "expressions": {"region": {"references": ["var.dr_region"]}}},
            },
            "root_module": {"resources": [
                config("aws_s3_bucket", "dr", "aws.dr", {}),
                config("aws_s3_bucket_replication_configuration", "dr", "aws", {
                    "bucket": {"references": ["aws_s3_bucket.store.id", "aws_s3_bucket.store"]},
                    "rule": [{"destination": [{"bucket": {"references": ["aws_s3_bucket.dr.arn", "aws_s3_bucket.dr"]}}]}]}),
            ]},
        },
    }, indent=1)


class Tree:
    """A generated tree, emptied first: `put` writes a file and counts it in `written`
    (files, bytes)."""

    def __init__(self, directory):
        if os.path.isdir(directory):
            shutil.rmtree(directory)
        os.makedirs(directory)
        self.directory = directory
        self.written = [0, 0]

    def put(self, path, text):
        full = os.path.join(self.directory, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
        self.written[0] += 1
        self.written[1] += len(text.encode())


def generate(directory, target_bytes):
    """Writes stacks until the tree holds at least target_bytes; returns (files, bytes)."""
    tree = Tree(directory)
    put, written = tree.put, tree.written
    put("modules/replica/main.tf", MODULE)
    i = 0
    while written[1] < target_bytes:
        base = f"stacks/stack{i:05d}"
        put(f"{base}/main.tf", stack_tf(i))
        put(f"{base}/variables.tf", variables_tf())
        put(f"{base}/terraform.tfvars", f'dr_region = "{REGIONS[(i + 2) % len(REGIONS)]}"\n')
        if i % 5 == 0:
            put(f"{base}/mail.yaml", cfn(i))
        if i % 7 == 0:
            put(f"{base}/storage.json", arm(i))
        if i % 6 == 0:
            put(f"plans/stack{i:05d}/plan.json", plan(i))
        if i % 8 == 0:
            put(f"k8s/mail{i:05d}.yaml", manifest(i))
        i += 1
    return written[0], written[1]


def measure_cpu(args):
    """Runs the scanner once; returns (wall seconds, peak RSS in bytes, exit code, CPU seconds).
    What earlier steps wrote (the generated tree, the previous run's report) is flushed to disk
    first, so that the kernel writing it back does not take the cores this run is timed on."""
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), cpu


SMALL_DEPLOYMENT = """provider "aws" {{
  region = "{region}"
}}

provider "aws" {{
  alias  = "dr"
  region = var.dr_region
}}

variable "dr_region" {{
  type    = string
  default = "eu-central-1"
}}

resource "aws_ses_receipt_rule" "in" {{
  name          = "{name}-in"
  rule_set_name = "default"
  s3_action {{
    bucket_name = aws_s3_bucket.mail.id
    position    = 1
  }}
}}

resource "aws_s3_bucket" "mail" {{
  bucket = "{name}-mail"
}}

resource "aws_s3_bucket" "dr" {{
  provider = aws.dr
  bucket   = "{name}-mail-dr"
}}

resource "aws_s3_bucket_replication_configuration" "dr" {{
  bucket = aws_s3_bucket.mail.id
  role   = "arn:aws:iam::111122223333:role/replication"
  rule {{
    status = "Enabled"
    destination {{
      bucket = aws_s3_bucket.dr.arn
    }}
  }}
}}
"""

DYNAMO_TABLE = """resource "aws_dynamodb_table" "t{i}" {{
  name         = "mail-{f}-{i}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  tags         = {{ "data-class" = "mailbox", "owner" = "mail-platform", "stage" = "production" }}
  attribute {{
    name = "id"
    type = "S"
  }}
  replica {{
    region_name = "{replica}"
  }}
  point_in_time_recovery {{
    enabled = true
  }}
  server_side_encryption {{
    enabled = true
  }}
  ttl {{
    attribute_name = "expires_at"
    enabled        = true
  }}
}}

"""


def generate_shape(directory, shape):
    """The three shapes of issue 18: many small files (400 copies of 8 small deployments with
    distinct names: 4,400 files), few large files (8 Terraform files of about 1.2 MB: 20,000 DynamoDB tables
    with replicas), and many deployments of one module (the same names in every copy).
    Returns (files, bytes)."""
    tree = Tree(directory)
    put, written = tree.put, tree.written
    if shape == "large-files":
        for f in range(8):
            body = ['provider "aws" {\n  region = "eu-west-1"\n}\n\n']
            for i in range(2500):
                body.append(DYNAMO_TABLE.format(i=i, f=f, replica=REGIONS[i % len(REGIONS)]))
            put(f"tables/file{f}.tf", "".join(body))
        return tuple(written)
    same = shape == "same-names"
    for copy in range(400):
        for d in range(8):
            name = f"mail{d}" if same else f"mail{copy:03d}x{d}"
            base = f"copy{copy:03d}/deploy{d}"
            put(f"{base}/main.tf", SMALL_DEPLOYMENT.format(region=REGIONS[d % len(REGIONS)], name=name))
            if d % 8 in (0, 3, 6):
                put(f"{base}/terraform.tfvars", f'dr_region = "{REGIONS[(d + 2) % len(REGIONS)]}"\n')
    return tuple(written)


FORMATS = ["json", "sarif", "text", "markdown", "junit"]
HEADER = f"{'tree':<12} {'format':<9} {'files':>6} {'MB':>6} {'wall s':>7} {'cpu s':>7} {'MB/s':>6} {'files/s':>8} {'peak MB':>8} {'RSS/in':>7} {'goal MB':>8} {'out MB':>7}"


def report(label, tree, files, total, work):
    """Scans `tree` three times in each format and prints a row per format: wall and CPU time
    (best of three), MB/s, files/s, peak RSS (worst of three), RSS per input byte, the memory
    goal (3 x input + 50 MB) and the report's size."""
    mb = total / 1e6
    for fmt in FORMATS:
        out = os.path.join(work, f"{label}.{fmt}")
        runs = [measure_cpu([BINARY, "scan", tree, "--format", fmt, "--output", out, "--fail-on", "never", "--no-config"]) for _ in range(3)]
        for run in runs:
            if run[2] not in (0, 1):
                sys.exit(f"scan of {tree} exited {run[2]}")
        wall = min(r[0] for r in runs)
        cpu = min(r[3] for r in runs)
        peak = max(r[1] for r in runs)
        size = os.path.getsize(out) / 1e6
        print(f"{label:<12} {fmt:<9} {files:>6} {mb:>6.1f} {wall:>7.2f} {cpu:>7.2f} {mb / wall:>6.1f} {files / wall:>8.0f} {peak / 1e6:>8.1f} {peak / total:>7.1f} {3 * mb + 50:>8.1f} {size:>7.2f}")


def main():
    args = sys.argv[1:]
    if any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return
    unknown = [a for a in args if a != "--shapes" and not re.fullmatch(r"\d+(\.\d+)?", a)]
    if unknown:
        sys.exit(f"bench.py: not a size in MB or --shapes: {' '.join(unknown)} (see --help)")
    with_shapes = "--shapes" in args
    args = [a for a in args if a != "--shapes"]
    sizes = [float(s) for s in args] or ([] if with_shapes else [1, 10, 100])
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = os.path.join(tempfile.gettempdir(), "residency-bench")
    os.makedirs(work, exist_ok=True)
    print(HEADER)
    for size in sizes:
        label = f"{size:g}MB"
        tree = os.path.join(work, label.lower())
        files, total = generate(tree, int(size * 1_000_000))
        report(label, tree, files, total, work)
    if with_shapes:
        for shape in ["small-files", "large-files", "same-names"]:
            tree = os.path.join(work, shape)
            files, total = generate_shape(tree, shape)
            report(shape, tree, files, total, work)
    samples = os.path.join(ROOT, "sample-configs")
    small = min(measure_cpu([BINARY, "scan", samples, "--format", "json", "--output", os.devnull, "--no-config"])[0] for _ in range(10))
    print(f"sample-configs: {small * 1000:.1f} ms from process start (best of 10)")


if __name__ == "__main__":
    main()
