/* lesson_talk.h — a short talk shared by the chapter-title and key-moment
 * concept tests: both check that titles and concepts come from the
 * document's noun phrases ("completion rate") and not from RAKE runs that
 * cut a clause ("many students make", "track startup time"). One caption
 * line each, NULL-terminated. */
#ifndef LESSON_TALK_H
#define LESSON_TALK_H

static const char *const LESSON_TALK[] = {
    "Our lesson platform serves thousands of classrooms.",
    "The basics are views and watch time.",
    "But the number teachers love is the completion rate.",
    "It says how many students make it to the end of a lesson.",
    "A low completion rate means an early exit from the lesson.",
    "We also track startup time and rebuffering on every lesson video.",
    "A slow start kills engagement, so startup time matters.",
    "The completion rate also drops when rebuffering grows.",
    "So we show teachers the completion rate next to the startup time.",
    "That chart is the one teachers open every Monday.",
    NULL};
#define LESSON_TALK_LINES (sizeof LESSON_TALK / sizeof LESSON_TALK[0] - 1)

#endif
