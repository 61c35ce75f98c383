"""workouts: programs (weeks, days, blocks, prescriptions with progression), training maxes, assignments,
class workouts, training logs with their sets, and personal records; members may log their own training

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

A program's days are workouts (program_id, day_number 1-7, counted from an assignment's start day); a class's workout of the day is a workout of no
program, attached to a series or a session by class_workouts. Weeks are computed from week 1 and each
prescription's progression rule, so they have no table. The "own" variants of workouts:create/update/delete
let members and up log and change their own training; studios made before this get them here.

Revision ID: 0012_training
Revises: 0011_equipment
Create Date: 2026-12-04 10:00:00.000000
"""
from alembic import op

revision = '0012_training'
down_revision = '0011_equipment'
branch_labels = None
depends_on = None

# (action, description, default roles besides the owner): the "own" permissions nexphys.workouts declares
OWN_PERMISSIONS = (
    ('create', "Log one's own training", ('member', 'premium_member', 'instructor', 'manager')),
    ('update', "Change one's own training logs", ('member', 'premium_member', 'instructor', 'manager')),
    ('delete', "Remove one's own training logs", ('member', 'premium_member', 'instructor', 'manager')),
)


def upgrade():
    # IF NOT EXISTS: a schema taken back to an older revision for a test keeps its tables, and replays this.
    op.execute("""
        CREATE TABLE IF NOT EXISTS programs (
        id SERIAL NOT NULL,
        name VARCHAR(120) NOT NULL,
        description TEXT DEFAULT '' NOT NULL,
        weeks SMALLINT NOT NULL,
        is_template BOOLEAN DEFAULT false NOT NULL,
        copied_from_id INTEGER,
        created_by_id INTEGER,
        archived_at TIMESTAMP WITH TIME ZONE,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_programs PRIMARY KEY (id),
        CONSTRAINT ck_programs_weeks_in_range CHECK (weeks BETWEEN 1 AND 52),
        CONSTRAINT fk_programs_copied_from_id_programs FOREIGN KEY(copied_from_id) REFERENCES programs (id) ON DELETE SET NULL,
        CONSTRAINT fk_programs_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL
        )""")
    op.execute("""
        CREATE TABLE IF NOT EXISTS workouts (
        id SERIAL NOT NULL,
        program_id INTEGER,
        day_number SMALLINT,
        title VARCHAR(120) NOT NULL,
        notes TEXT DEFAULT '' NOT NULL,
        scoring VARCHAR(20) DEFAULT 'none' NOT NULL,
        created_by_id INTEGER,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_workouts PRIMARY KEY (id),
        CONSTRAINT uq_workouts_program_id_day_number UNIQUE (program_id, day_number),
        CONSTRAINT ck_workouts_day_of_program CHECK ((program_id IS NULL) = (day_number IS NULL)),
        CONSTRAINT ck_workouts_day_in_week CHECK (day_number IS NULL OR day_number BETWEEN 1 AND 7),
        CONSTRAINT ck_workouts_scoring_known CHECK (scoring IN ('none', 'time', 'rounds_reps', 'load', 'reps')),
        CONSTRAINT fk_workouts_program_id_programs FOREIGN KEY(program_id) REFERENCES programs (id) ON DELETE CASCADE,
        CONSTRAINT fk_workouts_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL
        )""")
    op.execute("""
        CREATE TABLE IF NOT EXISTS workout_blocks (
        id SERIAL NOT NULL,
        workout_id INTEGER NOT NULL,
        position SMALLINT NOT NULL,
        kind VARCHAR(20) NOT NULL,
        title VARCHAR(80) DEFAULT '' NOT NULL,
        rounds SMALLINT,
        time_cap_seconds INTEGER,
        interval_seconds INTEGER,
        rest_seconds INTEGER,
        notes TEXT DEFAULT '' NOT NULL,
        CONSTRAINT pk_workout_blocks PRIMARY KEY (id),
        CONSTRAINT ck_workout_blocks_kind_known CHECK (kind IN ('straight', 'superset', 'circuit', 'amrap', 'emom', 'for_time', 'intervals')),
        CONSTRAINT ck_workout_blocks_rounds_positive CHECK (rounds IS NULL OR rounds > 0),
        CONSTRAINT ck_workout_blocks_time_cap_positive CHECK (time_cap_seconds IS NULL OR time_cap_seconds > 0),
        CONSTRAINT ck_workout_blocks_interval_positive CHECK (interval_seconds IS NULL OR interval_seconds > 0),
        CONSTRAINT ck_workout_blocks_rest_not_negative CHECK (rest_seconds IS NULL OR rest_seconds >= 0),
        CONSTRAINT fk_workout_blocks_workout_id_workouts FOREIGN KEY(workout_id) REFERENCES workouts (id) ON DELETE CASCADE
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_workout_blocks_workout_position ON workout_blocks (workout_id, position)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS prescriptions (
        id SERIAL NOT NULL,
        block_id INTEGER NOT NULL,
        position SMALLINT NOT NULL,
        exercise_id INTEGER NOT NULL,
        set_type VARCHAR(20) NOT NULL,
        sets SMALLINT NOT NULL,
        reps SMALLINT,
        duration_seconds INTEGER,
        distance_m INTEGER,
        load_kind VARCHAR(20) NOT NULL,
        load_value NUMERIC(7, 2),
        rest_seconds INTEGER,
        tempo VARCHAR(20) DEFAULT '' NOT NULL,
        notes TEXT DEFAULT '' NOT NULL,
        progression VARCHAR(20) NOT NULL,
        progression_amount NUMERIC(6, 2),
        reps_ceiling SMALLINT,
        deload_every_weeks SMALLINT,
        deload_percent NUMERIC(5, 2),
        CONSTRAINT pk_prescriptions PRIMARY KEY (id),
        CONSTRAINT ck_prescriptions_set_type_known CHECK (set_type IN ('working', 'warmup', 'drop', 'amrap')),
        CONSTRAINT ck_prescriptions_load_kind_known CHECK (load_kind IN ('none', 'kg', 'percent_tm', 'rpe', 'rir')),
        CONSTRAINT ck_prescriptions_progression_known CHECK (progression IN ('none', 'add_kg', 'add_percent', 'reps_then_load')),
        CONSTRAINT ck_prescriptions_sets_positive CHECK (sets > 0),
        CONSTRAINT ck_prescriptions_reps_positive CHECK (reps IS NULL OR reps > 0),
        CONSTRAINT ck_prescriptions_duration_positive CHECK (duration_seconds IS NULL OR duration_seconds > 0),
        CONSTRAINT ck_prescriptions_distance_positive CHECK (distance_m IS NULL OR distance_m > 0),
        CONSTRAINT ck_prescriptions_load_not_negative CHECK (load_value IS NULL OR load_value >= 0),
        CONSTRAINT ck_prescriptions_rest_not_negative CHECK (rest_seconds IS NULL OR rest_seconds >= 0),
        CONSTRAINT ck_prescriptions_ceiling_positive CHECK (reps_ceiling IS NULL OR reps_ceiling > 0),
        CONSTRAINT ck_prescriptions_deload_after_a_week CHECK (deload_every_weeks IS NULL OR deload_every_weeks > 1),
        CONSTRAINT ck_prescriptions_deload_share CHECK (deload_percent IS NULL OR deload_percent BETWEEN 1 AND 100),
        CONSTRAINT fk_prescriptions_block_id_workout_blocks FOREIGN KEY(block_id) REFERENCES workout_blocks (id) ON DELETE CASCADE,
        CONSTRAINT fk_prescriptions_exercise_id_exercises FOREIGN KEY(exercise_id) REFERENCES exercises (id)
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_prescriptions_block_position ON prescriptions (block_id, position)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_prescriptions_exercise_id ON prescriptions (exercise_id)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS training_maxes (
        id SERIAL NOT NULL,
        member_id INTEGER NOT NULL,
        exercise_id INTEGER NOT NULL,
        kg NUMERIC(7, 2) NOT NULL,
        set_on DATE NOT NULL,
        updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_training_maxes PRIMARY KEY (id),
        CONSTRAINT uq_training_maxes_member_id_exercise_id UNIQUE (member_id, exercise_id),
        CONSTRAINT ck_training_maxes_kg_positive CHECK (kg > 0),
        CONSTRAINT fk_training_maxes_member_id_users FOREIGN KEY(member_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_training_maxes_exercise_id_exercises FOREIGN KEY(exercise_id) REFERENCES exercises (id) ON DELETE CASCADE
        )""")
    op.execute("""
        CREATE TABLE IF NOT EXISTS program_assignments (
        id SERIAL NOT NULL,
        program_id INTEGER NOT NULL,
        member_id INTEGER NOT NULL,
        assigned_by_id INTEGER,
        starts_on DATE NOT NULL,
        ended_on DATE,
        notes TEXT DEFAULT '' NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_program_assignments PRIMARY KEY (id),
        CONSTRAINT ck_program_assignments_ends_after_start CHECK (ended_on IS NULL OR ended_on >= starts_on),
        CONSTRAINT fk_program_assignments_program_id_programs FOREIGN KEY(program_id) REFERENCES programs (id),
        CONSTRAINT fk_program_assignments_member_id_users FOREIGN KEY(member_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_program_assignments_assigned_by_id_users FOREIGN KEY(assigned_by_id) REFERENCES users (id) ON DELETE SET NULL
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_program_assignments_program_id ON program_assignments (program_id)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_program_assignments_member ON program_assignments (member_id, starts_on)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS class_workouts (
        id SERIAL NOT NULL,
        workout_id INTEGER NOT NULL,
        series_id INTEGER,
        session_id INTEGER,
        leaderboard BOOLEAN DEFAULT true NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_class_workouts PRIMARY KEY (id),
        CONSTRAINT ck_class_workouts_series_or_session CHECK ((series_id IS NULL) <> (session_id IS NULL)),
        CONSTRAINT fk_class_workouts_workout_id_workouts FOREIGN KEY(workout_id) REFERENCES workouts (id) ON DELETE CASCADE,
        CONSTRAINT uq_class_workouts_series_id UNIQUE (series_id),
        CONSTRAINT fk_class_workouts_series_id_class_series FOREIGN KEY(series_id) REFERENCES class_series (id) ON DELETE CASCADE,
        CONSTRAINT uq_class_workouts_session_id UNIQUE (session_id),
        CONSTRAINT fk_class_workouts_session_id_class_sessions FOREIGN KEY(session_id) REFERENCES class_sessions (id) ON DELETE CASCADE
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_class_workouts_workout_id ON class_workouts (workout_id)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS workout_logs (
        id SERIAL NOT NULL,
        member_id INTEGER NOT NULL,
        workout_id INTEGER,
        assignment_id INTEGER,
        program_week SMALLINT,
        session_id INTEGER,
        performed_on DATE NOT NULL,
        title VARCHAR(120) NOT NULL,
        result_seconds INTEGER,
        result_rounds SMALLINT,
        result_reps SMALLINT,
        result_load_kg NUMERIC(7, 2),
        scaled BOOLEAN DEFAULT false NOT NULL,
        notes TEXT DEFAULT '' NOT NULL,
        on_leaderboard BOOLEAN DEFAULT false NOT NULL,
        logged_by_id INTEGER,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_workout_logs PRIMARY KEY (id),
        CONSTRAINT ck_workout_logs_time_positive CHECK (result_seconds IS NULL OR result_seconds > 0),
        CONSTRAINT ck_workout_logs_rounds_not_negative CHECK (result_rounds IS NULL OR result_rounds >= 0),
        CONSTRAINT ck_workout_logs_reps_not_negative CHECK (result_reps IS NULL OR result_reps >= 0),
        CONSTRAINT ck_workout_logs_load_not_negative CHECK (result_load_kg IS NULL OR result_load_kg >= 0),
        CONSTRAINT fk_workout_logs_member_id_users FOREIGN KEY(member_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_workout_logs_workout_id_workouts FOREIGN KEY(workout_id) REFERENCES workouts (id) ON DELETE SET NULL,
        CONSTRAINT fk_workout_logs_assignment_id_program_assignments FOREIGN KEY(assignment_id) REFERENCES program_assignments (id) ON DELETE SET NULL,
        CONSTRAINT fk_workout_logs_session_id_class_sessions FOREIGN KEY(session_id) REFERENCES class_sessions (id) ON DELETE SET NULL,
        CONSTRAINT fk_workout_logs_logged_by_id_users FOREIGN KEY(logged_by_id) REFERENCES users (id) ON DELETE SET NULL
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_workout_logs_session_id ON workout_logs (session_id)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_workout_logs_member_day ON workout_logs (member_id, performed_on)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_workout_logs_workout_id ON workout_logs (workout_id)")
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_workout_logs_member_session ON workout_logs (member_id, session_id) WHERE session_id IS NOT NULL")
    op.execute("""
        CREATE TABLE IF NOT EXISTS log_sets (
        id SERIAL NOT NULL,
        log_id INTEGER NOT NULL,
        exercise_id INTEGER NOT NULL,
        prescription_id INTEGER,
        position SMALLINT NOT NULL,
        reps SMALLINT,
        load_kg NUMERIC(7, 2),
        rpe NUMERIC(3, 1),
        duration_seconds INTEGER,
        distance_m INTEGER,
        CONSTRAINT pk_log_sets PRIMARY KEY (id),
        CONSTRAINT ck_log_sets_reps_not_negative CHECK (reps IS NULL OR reps >= 0),
        CONSTRAINT ck_log_sets_load_not_negative CHECK (load_kg IS NULL OR load_kg >= 0),
        CONSTRAINT ck_log_sets_rpe_in_range CHECK (rpe IS NULL OR rpe BETWEEN 1 AND 10),
        CONSTRAINT fk_log_sets_log_id_workout_logs FOREIGN KEY(log_id) REFERENCES workout_logs (id) ON DELETE CASCADE,
        CONSTRAINT fk_log_sets_exercise_id_exercises FOREIGN KEY(exercise_id) REFERENCES exercises (id),
        CONSTRAINT fk_log_sets_prescription_id_prescriptions FOREIGN KEY(prescription_id) REFERENCES prescriptions (id) ON DELETE SET NULL
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_log_sets_log_position ON log_sets (log_id, position)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_log_sets_exercise_id ON log_sets (exercise_id)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS personal_records (
        id SERIAL NOT NULL,
        member_id INTEGER NOT NULL,
        exercise_id INTEGER NOT NULL,
        kind VARCHAR(20) NOT NULL,
        reps SMALLINT NOT NULL,
        value_kg NUMERIC(7, 2) NOT NULL,
        previous_kg NUMERIC(7, 2),
        log_set_id INTEGER,
        achieved_on DATE NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_personal_records PRIMARY KEY (id),
        CONSTRAINT ck_personal_records_kind_known CHECK (kind IN ('load_at_reps', 'e1rm')),
        CONSTRAINT fk_personal_records_member_id_users FOREIGN KEY(member_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_personal_records_exercise_id_exercises FOREIGN KEY(exercise_id) REFERENCES exercises (id) ON DELETE CASCADE,
        CONSTRAINT fk_personal_records_log_set_id_log_sets FOREIGN KEY(log_set_id) REFERENCES log_sets (id) ON DELETE CASCADE
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_personal_records_member_exercise ON personal_records (member_id, exercise_id, kind, reps)")
    for action, description, roles in OWN_PERMISSIONS:
        op.execute(f"INSERT INTO permissions (resource, action, condition, description) "
                   f"SELECT 'workouts', '{action}', 'own', $${description}$$ "
                   f"WHERE NOT EXISTS (SELECT 1 FROM permissions WHERE resource = 'workouts' "
                   f"AND action = '{action}' AND condition = 'own')")
        keys = ", ".join(f"'{key}'" for key in ('owner', *roles))
        op.execute(f"INSERT INTO role_permissions (role_id, permission_id) "
                   f"SELECT r.id, p.id FROM roles r, permissions p "
                   f"WHERE r.key IN ({keys}) AND p.resource = 'workouts' "
                   f"AND p.action = '{action}' AND p.condition = 'own' ON CONFLICT DO NOTHING")


def downgrade():
    op.execute("DELETE FROM permissions WHERE resource = 'workouts' AND condition = 'own'")
    op.execute("DROP TABLE IF EXISTS personal_records")
    op.execute("DROP TABLE IF EXISTS log_sets")
    op.execute("DROP TABLE IF EXISTS workout_logs")
    op.execute("DROP TABLE IF EXISTS class_workouts")
    op.execute("DROP TABLE IF EXISTS program_assignments")
    op.execute("DROP TABLE IF EXISTS training_maxes")
    op.execute("DROP TABLE IF EXISTS prescriptions")
    op.execute("DROP TABLE IF EXISTS workout_blocks")
    op.execute("DROP TABLE IF EXISTS workouts")
    op.execute("DROP TABLE IF EXISTS programs")
