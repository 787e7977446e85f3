"""Question types, banks, attempts with time limits, grading methods, question versions

Revision ID: 0006_assessment_engine
Revises: 0005_authoring
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_assessment_engine"
down_revision = "0005_authoring"
branch_labels = None
depends_on = None

_TYPES_OLD = "type IN ('single', 'multiple')"
_TYPES_NEW = "type IN ('single', 'multiple', 'true_false', 'short_answer', 'matching')"


def upgrade():
    op.create_table('question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_versions_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
    sa.UniqueConstraint('question_id', 'digest', name=op.f('uq_question_versions_question_id_digest')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_versions_question_id_number'))
    )
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_versions_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draw_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shuffle', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('max_attempts', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('grading', sa.String(length=16), server_default='highest', nullable=False))
        batch_op.add_column(sa.Column('wait_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('time_limit_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='regular', nullable=False))
        batch_op.add_column(sa.Column('show_answers', sa.String(length=16), server_default='after_pass', nullable=False))
        batch_op.create_check_constraint(op.f('ck_quizzes_grading_valid'), "grading IN ('highest', 'last', 'average')")
        batch_op.create_check_constraint(op.f('ck_quizzes_kind_valid'), "kind IN ('regular', 'pretest', 'posttest')")
        batch_op.create_check_constraint(op.f('ck_quizzes_show_answers_valid'),
                                         "show_answers IN ('always', 'after_pass', 'never')")
        batch_op.create_check_constraint(op.f('ck_quizzes_draw_count_positive'), "draw_count IS NULL OR draw_count > 0")
        batch_op.create_check_constraint(op.f('ck_quizzes_max_attempts_positive'),
                                         "max_attempts IS NULL OR max_attempts > 0")
        batch_op.create_check_constraint(op.f('ck_quizzes_wait_minutes_positive'),
                                         "wait_minutes IS NULL OR wait_minutes > 0")
        batch_op.create_check_constraint(op.f('ck_quizzes_time_limit_positive'),
                                         "time_limit_minutes IS NULL OR time_limit_minutes > 0")

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings', sa.Text(), server_default='{}', nullable=False))
        batch_op.drop_constraint(op.f('ck_questions_type_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_questions_type_valid'), _TYPES_NEW)

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), server_default='submitted', nullable=False))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('layout', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('saved_answers', sa.Text(), nullable=True))
        batch_op.alter_column('submitted_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.create_check_constraint(op.f('ck_quiz_attempts_state_valid'), "state IN ('in_progress', 'submitted')")
    # Attempts made so far were started and submitted in one request; scores move from 2 to 4 decimal places.
    op.execute("UPDATE quiz_attempts SET started_at = submitted_at, score = score * 100")
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.alter_column('started_at', existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table('attempt_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('response', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attempt_answers_question_version_id'), ['question_version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempt_answers_question_version_id_question_versions'),
                                    'question_versions', ['question_version_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE attempt_answers SET points_awarded = points_awarded * 100, "
               "response = '[' || selected || ']'")


def downgrade():
    op.execute("DELETE FROM quiz_attempts WHERE state <> 'submitted'")
    op.execute("DELETE FROM questions WHERE type NOT IN ('single', 'multiple')")
    # Partial credit below 0.01 point cannot be kept at 2 places: truncated (integer division).
    op.execute("UPDATE attempt_answers SET points_awarded = points_awarded / 100")
    op.execute("UPDATE quiz_attempts SET score = score / 100")
    with op.batch_alter_table('attempt_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_answers_question_version_id_question_versions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attempt_answers_question_version_id'))
        batch_op.drop_column('response')
        batch_op.drop_column('question_version_id')

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_quiz_attempts_state_valid'), type_='check')
        batch_op.alter_column('submitted_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_column('saved_answers')
        batch_op.drop_column('layout')
        batch_op.drop_column('deadline_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('state')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_questions_type_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_questions_type_valid'), _TYPES_OLD)
        batch_op.drop_column('settings')

    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        for name in ('time_limit_positive', 'wait_minutes_positive', 'max_attempts_positive', 'draw_count_positive',
                     'show_answers_valid', 'kind_valid', 'grading_valid'):
            batch_op.drop_constraint(op.f(f'ck_quizzes_{name}'), type_='check')
        for column in ('show_answers', 'kind', 'time_limit_minutes', 'wait_minutes', 'grading', 'max_attempts',
                       'shuffle', 'draw_count'):
            batch_op.drop_column(column)

    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_versions_question_id'))
    op.drop_table('question_versions')
