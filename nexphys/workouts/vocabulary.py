"""The fixed words of the exercise library: categories and muscle groups (stored by key, shown by label)."""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "strength": "Strength",
    "conditioning": "Conditioning",
    "gymnastics": "Gymnastics and bodyweight",
    "kettlebell": "Kettlebell",
    "olympic": "Olympic lifting",
    "mobility": "Mobility and stretching",
    "yoga": "Yoga",
    "core": "Core",
}

MUSCLES: dict[str, str] = {
    "quadriceps": "Quadriceps",
    "hamstrings": "Hamstrings",
    "glutes": "Glutes",
    "calves": "Calves",
    "hips": "Hips",
    "adductors": "Adductors",
    "lower_back": "Lower back",
    "upper_back": "Upper back",
    "lats": "Lats",
    "traps": "Traps",
    "chest": "Chest",
    "shoulders": "Shoulders",
    "biceps": "Biceps",
    "triceps": "Triceps",
    "forearms": "Forearms and grip",
    "abs": "Abs",
    "obliques": "Obliques",
    "full_body": "Full body",
}


def category_label(key: str) -> str:
    """The category's words (its key when unknown)."""
    return CATEGORIES.get(key, key)


def muscle_label(key: str) -> str:
    """The muscle group's words (its key when unknown)."""
    return MUSCLES.get(key, key)


def muscle_names(keys: list[str]) -> str:
    """The muscle groups' words, in order, separated by commas ("" for none)."""
    return ", ".join(muscle_label(key) for key in keys)
