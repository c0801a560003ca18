"""The quiz app's models, one module per sub-domain; every model is imported here so that
Django finds it and `from quiz.models import Question` works from anywhere."""

from quiz.models.attempts import Attempt, AttemptQuestion, Review, Standing
from quiz.models.bank import Choice, Difficulty, Question, Topic
from quiz.models.contest import Contest, Prediction, Round, default_prizes
from quiz.models.games import Game, GameAnswer, GameQuestion, Phase, Player, Scoring
from quiz.models.reviews import AttemptReview

# default_prizes: migration 0003 names it as quiz.models.default_prizes.
__all__ = [
    "Attempt", "AttemptQuestion", "AttemptReview", "Choice", "Contest", "Difficulty", "Game",
    "GameAnswer", "GameQuestion", "Phase", "Player", "Prediction", "Question", "Review", "Round",
    "Scoring", "Standing", "Topic", "default_prizes",
]  # fmt: skip
