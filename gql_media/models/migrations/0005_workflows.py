from tortoise import migrations
from tortoise.migrations import operations as ops
from gql_media.models.enums import JobKind
from gql_media.models.workflow import ExecutionStatus, NodeRunStatus, WorkflowStatus, WorkflowVideoRole
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_direct_uploads')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Workflow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('owner_id', fields.CharField(db_index=True, max_length=64)),
                ('name', fields.CharField(max_length=255)),
                ('description', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=WorkflowStatus.DRAFT, db_index=True, description='DRAFT: DRAFT\nSAVED: SAVED\nARCHIVED: ARCHIVED', enum_type=WorkflowStatus, max_length=16)),
                ('definition', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('revision', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('last_executed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'workflow', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A node graph owned by an owner: `definition` is the working copy.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkflowRevision',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workflow', fields.ForeignKeyField('models.Workflow', source_field='workflow_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('definition', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('saved_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('saved_by', fields.CharField(max_length=255)),
            ],
            options={'table': 'workflow_revision', 'app': 'models', 'unique_together': (('workflow', 'number'),), 'pk_attr': 'id', 'table_description': 'One saved definition of a workflow, as it was saved.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkflowExecution',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('owner_id', fields.CharField(db_index=True, max_length=64)),
                ('workflow', fields.ForeignKeyField('models.Workflow', source_field='workflow_id', db_constraint=True, to_field='id', related_name='executions', on_delete=OnDelete.CASCADE)),
                ('revision', fields.ForeignKeyField('models.WorkflowRevision', source_field='revision_id', db_constraint=True, to_field='id', related_name='executions', on_delete=OnDelete.CASCADE)),
                ('revision_number', fields.IntField()),
                ('status', fields.CharEnumField(default=ExecutionStatus.RUNNING, db_index=True, description='RUNNING: RUNNING\nCOMPLETED: COMPLETED\nFAILED: FAILED\nCANCELED: CANCELED', enum_type=ExecutionStatus, max_length=16)),
                ('started_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('execution_data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('error_message', fields.TextField(null=True, unique=False)),
                ('event_revision', fields.IntField(default=0)),
            ],
            options={'table': 'workflow_execution', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One run of a saved revision. `event_revision` grows with every change of'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NodeRun',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('execution', fields.ForeignKeyField('models.WorkflowExecution', source_field='execution_id', db_constraint=True, to_field='id', related_name='node_runs', on_delete=OnDelete.CASCADE)),
                ('node_id', fields.CharField(max_length=128)),
                ('node_type', fields.CharField(max_length=64)),
                ('position', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=NodeRunStatus.PENDING, description='PENDING: PENDING\nRUNNING: RUNNING\nCOMPLETED: COMPLETED\nFAILED: FAILED\nCANCELED: CANCELED', enum_type=NodeRunStatus, max_length=16)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error_message', fields.TextField(null=True, unique=False)),
                ('outputs', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('job', fields.ForeignKeyField('models.Job', source_field='job_id', null=True, db_constraint=True, to_field='id', related_name='node_runs', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'workflow_node_run', 'app': 'models', 'unique_together': (('execution', 'node_id'),), 'pk_attr': 'id', 'table_description': 'The state of one node in one execution.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkflowVideo',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workflow', fields.ForeignKeyField('models.Workflow', source_field='workflow_id', db_constraint=True, to_field='id', related_name='videos', on_delete=OnDelete.CASCADE)),
                ('execution', fields.ForeignKeyField('models.WorkflowExecution', source_field='execution_id', db_constraint=True, to_field='id', related_name='videos', on_delete=OnDelete.CASCADE)),
                ('node_id', fields.CharField(max_length=128)),
                ('node_type', fields.CharField(max_length=64)),
                ('role', fields.CharEnumField(description='INPUT: INPUT\nOUTPUT: OUTPUT\nINTERMEDIATE: INTERMEDIATE', enum_type=WorkflowVideoRole, max_length=16)),
                ('asset', fields.ForeignKeyField('models.Asset', source_field='asset_id', db_constraint=True, to_field='id', related_name='workflow_links', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'workflow_video', 'app': 'models', 'unique_together': (('execution', 'node_id', 'asset', 'role'),), 'pk_attr': 'id', 'table_description': 'Which node of which execution produced or consumed which asset.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Job',
            name='kind',
            field=fields.CharEnumField(description='IMPORT_URL: IMPORT_URL\nPROCESS_UPLOAD: PROCESS_UPLOAD\nREGENERATE_THUMBNAIL: REGENERATE_THUMBNAIL\nEXPORT_GENERATION: EXPORT_GENERATION\nSTITCH: STITCH', enum_type=JobKind, max_length=32),
        ),
    ]
