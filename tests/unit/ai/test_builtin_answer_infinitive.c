/* test_builtin_answer_infinitive.c — ask-questions looks a conjugated French
 * or Spanish question verb up in the thesaurus under its infinitive
 * (docs/builtin-answer.md, "Round 3b"). A separate test binary because the
 * thesaurus is opened once per process and language: this one writes its
 * own tiny French and Spanish thesauri (MyThes format, no .idx) to a
 * temporary directory before the first look-up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ai/builtin_answer.h"
#include "ai/thesaurus.h"
#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "media/vtt.h"

static char dir[] = "/tmp/robots-thes-XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

/* Seven sentences, the first one answering; the question's noun is said in
 * several of them, so its weight is small and the verb decides. */
static void answer_one(const char *lang, const char *const lines[7], const char *question,
                       rb_answer *a)
{
    char vtt[2048];
    size_t off = (size_t)snprintf(vtt, sizeof vtt, "WEBVTT\n\n");
    for (int i = 0; i < 7; i++)
        off += (size_t)snprintf(vtt + off, sizeof vtt - off,
                                "00:00:%02d.000 --> 00:00:%02d.000\n%s\n\n", i * 5, i * 5 + 4,
                                lines[i]);
    rb_err err;
    rb_err_clear(&err);
    rb_vtt v;
    rb_transcript *t;
    rb_transcript_doc doc;
    assert_int_equal(rb_vtt_parse(vtt, strlen(vtt), &v, &err), RB_OK);
    assert_int_equal(rb_transcript_build(&v, lang, -1, -1, &t, &err), RB_OK);
    assert_int_equal(rb_transcript_doc_build(t, &doc, &err), RB_OK);
    rb_answer_question q = {.question = question};
    assert_int_equal(rb_builtin_answer(t, &doc, &q, 1, 500, a, &err), RB_OK);
    printf("# %s -> %s %.4f | %s\n", question, a->answer ? a->answer : "null", a->confidence,
           a->reasoning);
    rb_transcript_doc_free(&doc);
    rb_transcript_free(t);
    rb_vtt_free(&v);
}

/* "nettoyé" is looked up as "nettoyer", whose synonyms hold "laver";
 * "terminó" as "terminar" -> "acabar". Without the rule the verb counts as
 * absent and the answer is a bare partial match (confidence 0.64). */
static void test_infinitive(void **state)
{
    (void)state;
    static const char *const fr[7] = {
        "D'abord, je lave les murs avec une éponge.", "Les murs de cette chambre sont vieux.",
        "On regarde encore les murs.", "Le chat dort sur le canapé.", "Ces murs ont cent ans.",
        "La voisine arrose ses fleurs.", "Les murs du couloir viendront demain."};
    static const char *const es[7] = {
        "El partido acabó en empate.", "El partido fue muy duro.",
        "Hablamos del partido de ayer.", "El gato duerme en el sofá.",
        "Otro partido será el domingo.", "La vecina riega sus flores.",
        "El partido del año pasado fue mejor."};
    rb_answer a;
    answer_one("fr", fr, "A-t-il nettoyé les murs avec une éponge ?", &a);
    assert_non_null(a.answer);
    assert_string_equal(a.answer, "yes");
    assert_non_null(strstr(a.reasoning, "je lave les murs"));
    assert_true(a.confidence > 0.75);
    rb_answers_free(&a, 1);

    answer_one("es", es, "¿Terminó el partido en empate?", &a);
    assert_non_null(a.answer);
    assert_string_equal(a.answer, "yes");
    assert_non_null(strstr(a.reasoning, "acabó en empate"));
    assert_true(a.confidence > 0.75);
    rb_answers_free(&a, 1);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    setenv("ROBOTS_THESAURUS_DIR", dir, 1);
    write_file("thes_fr.dat", "UTF-8\nnettoyer|1\n(Verbe)|astiquer|laver|frotter\n");
    write_file("th_es_ES_v2.dat", "UTF-8\nterminar|1\n(Verbo)|acabar|concluir|finalizar\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_infinitive),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rb_thesaurus_shutdown();
    remove_file("thes_fr.dat");
    remove_file("th_es_ES_v2.dat");
    rmdir(dir);
    return rc;
}
