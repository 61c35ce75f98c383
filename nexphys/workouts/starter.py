"""The starter library every studio begins with: about sixty common exercises, described in our own words.

New studios get it from the domain's seed (one multi-row INSERT, so provisioning stays fast); studios made
before the library existed get it from tenant migration 0010, which calls `add_starter_library` on its
connection. Both skip a name the studio already has (the case-insensitive unique name index), so running
either twice, or both, changes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

# name, category, primary muscles, secondary muscles, equipment, description
STARTER: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str], ...] = (
    # squats
    ("Back squat", "strength", ("quadriceps", "glutes"), ("hamstrings", "lower_back", "abs"), ("Barbell", "Squat rack"),
     "Bar across the upper back, feet about shoulder width. Sit down between the heels until the hips pass the "
     "knees, chest proud, then drive straight up through the whole foot."),
    ("Front squat", "strength", ("quadriceps",), ("glutes", "upper_back", "abs"), ("Barbell", "Squat rack"),
     "Bar resting on the front of the shoulders, elbows high. Stay upright as you squat deep; if the elbows "
     "drop, the bar rolls forward."),
    ("Goblet squat", "strength", ("quadriceps", "glutes"), ("abs", "upper_back"), ("Kettlebell",),
     "Hold one bell or dumbbell at the chest and squat between the knees. A friendly way to learn depth and an "
     "upright torso."),
    ("Overhead squat", "olympic", ("quadriceps", "shoulders"), ("glutes", "upper_back", "abs"), ("Barbell",),
     "Wide grip, bar locked out above the head, armpits facing forward. Squat to depth while the bar stays over "
     "the middle of the foot."),
    ("Air squat", "gymnastics", ("quadriceps", "glutes"), ("hamstrings",), (),
     "Bodyweight squat with arms reaching forward for balance. Full depth, knees tracking the toes, stand tall "
     "at the top of every rep."),
    ("Box squat", "strength", ("glutes", "quadriceps"), ("hamstrings", "lower_back"), ("Barbell", "Squat rack", "Box"),
     "Sit back to a box set at parallel, pause without relaxing, then stand. Teaches the hips to load and "
     "controls depth."),
    ("Bulgarian split squat", "strength", ("quadriceps", "glutes"), ("adductors", "hamstrings"), ("Bench", "Dumbbells"),
     "Rear foot on a bench behind you, front foot far enough forward that the knee stays over the ankle. Drop "
     "the back knee straight down."),
    # hinges
    ("Deadlift", "strength", ("hamstrings", "glutes", "lower_back"), ("upper_back", "forearms", "quadriceps"),
     ("Barbell",),
     "Bar over the middle of the foot, hips set, back flat. Push the floor away and stand tall with the bar "
     "brushing the legs; lower it the same way."),
    ("Sumo deadlift", "strength", ("glutes", "adductors", "quadriceps"), ("hamstrings", "lower_back"), ("Barbell",),
     "Wide stance with toes turned out, hands inside the knees. A more upright pull that asks more of the hips "
     "and inner thighs."),
    ("Romanian deadlift", "strength", ("hamstrings", "glutes"), ("lower_back", "forearms"), ("Barbell",),
     "From standing, push the hips back with soft knees until the hamstrings stretch, bar close to the thighs, "
     "then squeeze the glutes to return."),
    ("Trap bar deadlift", "strength", ("quadriceps", "glutes"), ("hamstrings", "traps", "forearms"), ("Trap bar",),
     "Stand inside the hex bar and lift with neutral handles. Easier on the back than a straight bar and a good "
     "first heavy pull."),
    ("Hip thrust", "strength", ("glutes",), ("hamstrings",), ("Barbell", "Bench"),
     "Upper back on a bench, bar padded across the hips. Drive the hips up until the body is a flat table, chin "
     "tucked, and hold a beat at the top."),
    ("Good morning", "strength", ("hamstrings", "lower_back"), ("glutes",), ("Barbell", "Squat rack"),
     "Bar on the back as for a squat. Hinge forward with a long spine until the torso nears parallel, then "
     "return. Start light."),
    # presses
    ("Bench press", "strength", ("chest", "triceps"), ("shoulders",), ("Barbell", "Bench"),
     "Lie with eyes under the bar, shoulder blades pinched, feet planted. Lower to the lower chest and press "
     "back up over the shoulders."),
    ("Incline dumbbell press", "strength", ("chest", "shoulders"), ("triceps",), ("Dumbbells", "Bench"),
     "Bench at about 30 degrees. Press the dumbbells up and slightly together, lowering them until the elbows "
     "sit just below the bench."),
    ("Strict press", "strength", ("shoulders", "triceps"), ("upper_back", "abs"), ("Barbell",),
     "Standing, bar at the collarbones. Squeeze the glutes and press overhead without any leg drive, moving the "
     "head back and then through."),
    ("Push press", "strength", ("shoulders", "triceps"), ("quadriceps", "glutes"), ("Barbell",),
     "A short dip and a hard drive of the legs start the bar moving; the arms finish the press to lockout."),
    ("Push jerk", "olympic", ("shoulders", "triceps"), ("quadriceps", "glutes"), ("Barbell",),
     "Dip, drive, then push yourself under the bar into a partial squat with locked arms, and stand up to "
     "finish."),
    ("Dumbbell shoulder press", "strength", ("shoulders",), ("triceps",), ("Dumbbells",),
     "Seated or standing, press two dumbbells from the shoulders to overhead, keeping the ribs down."),
    ("Push-up", "gymnastics", ("chest", "triceps"), ("shoulders", "abs"), (),
     "Hands under the shoulders, body in one straight line from head to heels. Chest to the floor and press "
     "back up; raise the hands on a box to make it easier."),
    ("Ring dip", "gymnastics", ("triceps", "chest"), ("shoulders",), ("Rings",),
     "Support on the rings with the arms straight and rings turned out. Lower until the shoulders pass the "
     "elbows and press back to support."),
    ("Handstand push-up", "gymnastics", ("shoulders", "triceps"), ("upper_back", "abs"), ("Mat",),
     "Kick up to a handstand against a wall, lower the head to a mat with control and press back to straight "
     "arms."),
    # pulls
    ("Pull-up", "gymnastics", ("lats", "biceps"), ("upper_back", "forearms"), ("Pull-up bar",),
     "Hang with straight arms, then pull until the chin clears the bar. Lower all the way each time; a band "
     "helps while strength builds."),
    ("Chin-up", "gymnastics", ("lats", "biceps"), ("upper_back",), ("Pull-up bar",),
     "Like a pull-up with palms facing you, which lets the biceps help more."),
    ("Ring row", "gymnastics", ("upper_back", "biceps"), ("lats", "abs"), ("Rings",),
     "Lean back under the rings with a straight body and pull the chest up to the hands. Walk the feet forward "
     "to make it harder."),
    ("Bent-over row", "strength", ("upper_back", "lats"), ("biceps", "lower_back"), ("Barbell",),
     "Hinge to a flat back, let the bar hang, and row it to the belly button without standing up."),
    ("Single-arm dumbbell row", "strength", ("lats", "upper_back"), ("biceps",), ("Dumbbells", "Bench"),
     "One hand and knee on a bench, pull the dumbbell toward the hip and lower it to a full stretch."),
    ("Lat pulldown", "strength", ("lats",), ("biceps", "upper_back"), ("Cable machine",),
     "Seated, pull the bar to the top of the chest while leaning back slightly; return slowly to straight arms."),
    ("Toes-to-bar", "gymnastics", ("abs",), ("lats", "hips", "forearms"), ("Pull-up bar",),
     "From a hang, lift the feet until they touch the bar between the hands. A controlled swing helps link "
     "reps."),
    ("Rope climb", "gymnastics", ("lats", "biceps", "forearms"), ("abs",), ("Climbing rope",),
     "Lock the rope between the feet, stand up on it, reach higher, repeat. Come down hand under hand, never "
     "sliding."),
    # lunges and single leg
    ("Walking lunge", "strength", ("quadriceps", "glutes"), ("hamstrings", "adductors"), ("Dumbbells",),
     "Step long, lower the back knee to just above the floor, and step straight through into the next rep."),
    ("Reverse lunge", "strength", ("glutes", "quadriceps"), ("hamstrings",), (),
     "Step backwards into the lunge and return to standing. Kinder to the knees than stepping forward."),
    ("Step-up", "strength", ("quadriceps", "glutes"), ("calves",), ("Box",),
     "Whole foot on the box, stand up using the top leg only, and step down under control."),
    ("Single-leg Romanian deadlift", "strength", ("hamstrings", "glutes"), ("hips", "lower_back"), ("Kettlebell",),
     "Balance on one leg and hinge forward as the free leg reaches back, hips square to the floor."),
    # kettlebell
    ("Kettlebell swing", "kettlebell", ("glutes", "hamstrings"), ("lower_back", "shoulders", "forearms"),
     ("Kettlebell",),
     "Hike the bell back between the legs and snap the hips forward so it floats to chest height. The hips do "
     "the work, not the arms."),
    ("Kettlebell clean", "kettlebell", ("glutes", "hamstrings"), ("forearms", "biceps"), ("Kettlebell",),
     "Swing the bell up close to the body and let it roll softly around the wrist into the rack at the "
     "shoulder."),
    ("Kettlebell snatch", "kettlebell", ("glutes", "shoulders"), ("hamstrings", "upper_back"), ("Kettlebell",),
     "One smooth pull from between the legs to locked out overhead, punching through at the top so the bell "
     "does not bang the wrist."),
    ("Turkish get-up", "kettlebell", ("shoulders", "abs"), ("glutes", "hips"), ("Kettlebell",),
     "Hold a bell overhead and rise from lying to standing in set steps, eyes on the bell, then reverse the "
     "steps back down."),
    ("Farmer's carry", "strength", ("forearms", "traps"), ("abs", "glutes"), ("Kettlebell",),
     "Pick up a heavy weight in each hand and walk tall with short, quick steps. Grip and posture both get "
     "tested."),
    # olympic
    ("Power clean", "olympic", ("glutes", "hamstrings", "traps"), ("quadriceps", "upper_back"), ("Barbell",),
     "Pull from the floor, jump the bar up with the hips and catch it on the shoulders in a quarter squat."),
    ("Hang power snatch", "olympic", ("glutes", "shoulders", "traps"), ("hamstrings", "upper_back"), ("Barbell",),
     "From the hips or thighs, drive up and pull yourself under a wide-grip bar, catching it overhead in a "
     "partial squat."),
    ("Clean and jerk", "olympic", ("full_body",), ("quadriceps", "shoulders"), ("Barbell",),
     "Clean the bar to the shoulders, stand, then jerk it overhead. The classic two-part lift."),
    ("Thruster", "conditioning", ("quadriceps", "shoulders"), ("glutes", "triceps"), ("Barbell",),
     "A front squat straight into a press: the drive out of the bottom sends the bar overhead in one motion."),
    ("Wall ball", "conditioning", ("quadriceps", "shoulders"), ("glutes",), ("Medicine ball", "Wall ball target"),
     "Squat holding a medicine ball, then stand and throw it to a target on the wall. Catch it into the next "
     "squat."),
    # conditioning
    ("Row", "conditioning", ("full_body",), ("upper_back", "quadriceps"), ("Rower",),
     "Legs, then body, then arms on the way out; arms, body, legs on the way back. Most of the power comes from "
     "the legs."),
    ("Air bike", "conditioning", ("full_body",), ("quadriceps",), ("Air bike",),
     "Push and pull the handles while pedalling. The harder you go, the harder the fan pushes back."),
    ("Run", "conditioning", ("full_body",), ("calves", "hamstrings"), (),
     "Easy, tempo or sprint: set a distance or a time. Land under the hips with a quick, light step."),
    ("Ski erg", "conditioning", ("lats", "triceps"), ("abs", "glutes"), ("Ski erg",),
     "Drive the handles down with the arms and a hip hinge, as if poling on skis, then rise tall again."),
    ("Burpee", "conditioning", ("full_body",), ("chest", "quadriceps"), (),
     "Drop the chest to the floor, get back up to the feet, and jump with a clap overhead. Repeat without "
     "stopping."),
    ("Box jump", "conditioning", ("quadriceps", "glutes"), ("calves",), ("Box",),
     "Jump onto the box with both feet, stand up fully on top, then step down to save the achilles."),
    ("Double-under", "conditioning", ("calves",), ("shoulders", "forearms"), ("Jump rope",),
     "The rope passes under the feet twice each jump. Stay tall, wrists doing the turning."),
    ("Sled push", "conditioning", ("quadriceps", "glutes"), ("calves", "abs"), ("Sled",),
     "Lean into the handles with straight arms and drive the floor back with short, powerful steps."),
    ("Battle ropes", "conditioning", ("shoulders",), ("forearms", "abs"), ("Battle ropes",),
     "Make fast waves with both ropes from an athletic half squat; alternate arms or slam both together."),
    # core
    ("Plank", "core", ("abs",), ("shoulders", "glutes"), ("Mat",),
     "On forearms and toes, body straight, squeeze the glutes and brace as if about to be poked in the belly."),
    ("Side plank", "core", ("obliques",), ("shoulders", "glutes"), ("Mat",),
     "On one forearm and the side of the feet, lift the hips in line with the shoulders and hold."),
    ("Hollow hold", "core", ("abs",), ("hips",), ("Mat",),
     "On the back, lower back pressed down, arms and legs reaching long just off the floor. Bend the knees to "
     "make it easier."),
    ("Dead bug", "core", ("abs",), ("hips",), ("Mat",),
     "On the back with arms and knees up, lower the opposite arm and leg slowly while the lower back stays "
     "glued to the floor."),
    ("Sit-up", "core", ("abs",), ("hips",), ("Mat",),
     "Soles of the feet together or knees bent, roll up to touch the floor past the feet and roll back down."),
    ("Russian twist", "core", ("obliques",), ("abs",), ("Medicine ball",),
     "Sit leaning back with the feet up or down and turn the shoulders side to side, touching the ball to the "
     "floor."),
    # mobility and yoga
    ("World's greatest stretch", "mobility", ("hips",), ("hamstrings", "upper_back"), (),
     "From a long lunge, put the same-side elbow toward the instep, then rotate and reach that arm to the sky."),
    ("90/90 hip switch", "mobility", ("hips",), ("glutes", "adductors"), ("Mat",),
     "Sit with both knees bent at right angles to one side, then rotate the legs through to the other side "
     "without using the hands if you can."),
    ("Couch stretch", "mobility", ("hips", "quadriceps"), (), ("Mat",),
     "Back knee at the wall with the shin up it, front foot forward. Tuck the tailbone and stay tall for a "
     "couple of minutes a side."),
    ("Cat-cow", "yoga", ("lower_back", "upper_back"), ("abs",), ("Mat",),
     "On hands and knees, round the spine up while breathing out, then let the belly drop and lift the chest "
     "breathing in."),
    ("Downward dog", "yoga", ("hamstrings", "calves", "shoulders"), ("upper_back",), ("Mat",),
     "Hands and feet down, hips high, making an upside-down V. Press the floor away and let the heels sink "
     "toward it."),
    ("Pigeon pose", "yoga", ("hips", "glutes"), (), ("Mat", "Yoga block"),
     "Front shin across the mat, back leg long behind. Settle the hips level, using a block under the hip if "
     "it floats."),
    ("Child's pose", "yoga", ("lower_back",), ("hips", "shoulders"), ("Mat",),
     "Knees wide, big toes together, sit back on the heels and rest the forehead down with arms long. A place "
     "to breathe."),
    ("Warrior II", "yoga", ("quadriceps", "hips"), ("shoulders", "adductors"), ("Mat",),
     "Wide stance, front knee bent over the ankle, arms reaching in opposite directions, gaze past the front "
     "hand."),
    ("Thoracic rotation", "mobility", ("upper_back",), ("shoulders",), ("Mat",),
     "Lying on one side with knees stacked, open the top arm across to the floor behind you and follow it with "
     "the eyes."),
    ("Band pull-apart", "mobility", ("upper_back", "shoulders"), (), ("Resistance band",),
     "Hold a band at shoulder height with straight arms and pull it apart until it touches the chest."),
)

_ROWS = [{"name": name, "category": category, "primary_muscles": list(primary),
          "secondary_muscles": list(secondary), "equipment": list(equipment), "description": description}
         for name, category, primary, secondary, equipment, description in STARTER]


def _statement(table: sa.TableClause) -> sa.Insert:
    """One INSERT of every starter row; a name the studio already has is left as it is."""
    return insert(table).values(_ROWS).on_conflict_do_nothing()


def seed_exercises(session: Session) -> None:
    """The starter library in a new studio's schema (idempotent; one statement)."""
    from nexphys.workouts.models import Exercise

    session.execute(_statement(Exercise.__table__))


def add_starter_library(connection: Connection) -> None:
    """The starter library in the schema a migration is running in (unqualified: its search_path)."""
    text_array = ARRAY(sa.String)
    table = sa.table("exercises", sa.column("name", sa.String), sa.column("category", sa.String),
                     sa.column("primary_muscles", text_array), sa.column("secondary_muscles", text_array),
                     sa.column("equipment", text_array), sa.column("description", sa.Text),
                     sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("updated_at", sa.DateTime(timezone=True)))
    now = sa.func.now()
    connection.execute(insert(table).values([{**row, "created_at": now, "updated_at": now} for row in _ROWS])
                       .on_conflict_do_nothing())
