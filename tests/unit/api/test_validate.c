/* Tests for api/validate.c (the engine), api/params.c (the 12 tables, the
 * envelope, the cross-field rules) and common/canon.c.
 *
 * Most cases are one table: (workflow, JSON body, expected message prefix).
 * A NULL expectation means the body must pass. A message is "<path> <rule>",
 * so a prefix match pins the exact field path as well as the rule. Bodies may
 * contain %[unit*N]% which expands to N copies of unit (innermost first), to
 * write long strings and long arrays without pasting them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/validate.h"
#include "common/canon.h"

/* ---- body templates ------------------------------------------------------ */

/* Expands the last %[unit*N]% until none is left. Returns malloc'd text. */
static char *expand(const char *tmpl)
{
    char *s = strdup(tmpl);
    assert_non_null(s);
    for (;;) {
        char *open = NULL;
        for (char *p = strstr(s, "%["); p; p = strstr(p + 1, "%["))
            open = p;
        if (!open)
            return s;
        char *close = strstr(open, "]%");
        assert_non_null(close);
        char *star = NULL;
        for (char *p = close; p > open; p--)
            if (*p == '*') {
                star = p;
                break;
            }
        assert_non_null(star);
        size_t unit_len = (size_t)(star - (open + 2));
        long n = strtol(star + 1, NULL, 10);
        size_t head = (size_t)(open - s);
        const char *tail = close + 2;
        size_t total = head + unit_len * (size_t)n + strlen(tail) + 1;
        char *out = malloc(total);
        assert_non_null(out);
        memcpy(out, s, head);
        size_t at = head;
        for (long i = 0; i < n; i++) {
            memcpy(out + at, open + 2, unit_len);
            at += unit_len;
        }
        memcpy(out + at, tail, strlen(tail) + 1);
        free(s);
        s = out;
    }
}

typedef struct vcase {
    const char *workflow;
    const char *body;
    const char *expect;   /* message prefix, or NULL when the body is valid */
} vcase;

/* ---- valid, full-featured bodies (one per workflow at least) ------------- */

static const vcase valid_cases[] = {
    {"summarize",
     "{\"parameters\":{\"asset_id\":\"a1\",\"tone\":\"playful\",\"title_length\":10,"
     "\"description_length\":50,\"tag_count\":5,\"language_code\":\"en\","
     "\"output_language_code\":\"pt-BR\",\"output_steering\":{\"scope\":{\"start_time\":0,"
     "\"end_time\":12.5},\"summary_style\":\"editorial\",\"audience\":\"devs\","
     "\"brand_terms\":[\"Mux\"],\"tag_taxonomy\":{\"name\":\"Topics\",\"allow_other\":false,"
     "\"values\":[{\"label\":\"Sports\",\"aliases\":[\"sport\"],\"description\":\"ball games\"}]}},"
     "\"prompt_overrides\":{\"task\":\"t\",\"title\":\"t\",\"description\":\"d\","
     "\"keywords\":\"k\",\"quality_guidelines\":\"q\"},\"update_asset_meta\":true},"
     "\"passthrough\":\"abc\"}",
     NULL},
    {"moderate",
     "{\"parameters\":{\"asset_id\":\"a1\",\"thresholds\":{\"sexual\":0.5,\"violence\":1},"
     "\"sampling_interval\":5,\"max_samples\":1,\"language_code\":\"en\","
     "\"output_steering\":{\"scope\":{\"start_time\":1,\"end_time\":2}},"
     "\"on_flagged\":{\"action\":\"delete_playback_ids\"}}}",
     NULL},
    /* Number fields accept integers: 0 is a valid threshold. */
    {"moderate", "{\"parameters\":{\"asset_id\":\"a1\",\"thresholds\":{\"sexual\":0}}}", NULL},
    {"generate-chapters",
     "{\"parameters\":{\"asset_id\":\"a1\",\"language_code\":\"en\",\"output_language_code\":\"fr\","
     "\"output_steering\":{\"chapter_style\":\"seo\",\"chapter_granularity\":\"fine\","
     "\"audience\":\"x\",\"brand_terms\":[]},\"prompt_overrides\":{\"task\":\"a\","
     "\"output_format\":\"b\",\"chapter_guidelines\":\"c\",\"title_guidelines\":\"d\"},"
     "\"update_asset_chapters\":false}}",
     NULL},
    {"ask-questions",
     "{\"parameters\":{\"asset_id\":\"a1\",\"questions\":[{\"question\":\"Is it outdoors?\"},"
     "{\"question\":\"Mood?\",\"answer_options\":[\"happy\",\"sad\"],\"free_form_reply\":false},"
     "{\"question\":\"Describe it\",\"free_form_reply\":true},"
     "{\"question\":\"%[\\u00e9*600]%\",\"answer_options\":[\"%[\\u00e9*150]%\"]}],"
     "\"language_code\":\"en\",\"max_free_form_answer_length\":1000,"
     "\"output_steering\":{\"scope\":{\"end_time\":30}}}}",
     NULL},
    {"ask-questions",
     "{\"parameters\":{\"asset_id\":\"a1\",\"questions\":[%[{\"question\":\"q\"},*49]%"
     "{\"question\":\"q\"}]}}",
     NULL},
    {"find-key-moments",
     "{\"parameters\":{\"asset_id\":\"a1\",\"max_moments\":25,"
     "\"target_duration_ms\":{\"min\":15000,\"max\":15000},\"use_shots\":false,"
     "\"output_steering\":{\"scope\":{\"start_time\":0},\"selection_strategy\":\"story_beats\","
     "\"title_style\":\"social\",\"audience\":\"a\",\"brand_terms\":[\"b\"],"
     "\"rubric_priorities\":[\"novelty\",\"clarity_in_isolation\"],"
     "\"topic_taxonomy\":{\"allow_other\":true,\"values\":[{\"label\":\"Goal\"}]}}}}",
     NULL},
    {"translate-captions",
     "{\"parameters\":{\"asset_id\":\"a1\",\"track_id\":\"t1\",\"to_language_code\":\"zh-Hant-TW\","
     "\"upload_to_mux\":false,\"never_translate\":[\"Mux\",\"Caf\\u00e9 Ol\\u00e9\",\"C++ & co\"]}}",
     NULL},
    {"edit-captions",
     "{\"parameters\":{\"asset_id\":\"a1\",\"track_id\":\"t1\",\"replacements\":[{\"find\":\"gonna\","
     "\"replace\":\"going to\",\"case_sensitive\":true},{\"find\":\"um\",\"replace\":\"\"}],"
     "\"speaker_replacements\":[{\"find\":\"speaker_0\",\"replace\":\"Alice\"}],"
     "\"auto_censor_profanity\":{\"detection_method\":\"llm\",\"mode\":\"mask\","
     "\"always_censor\":[\"darn\"],\"never_censor\":[\"hell\"]},\"upload_to_mux\":true,"
     "\"delete_original_track\":false,\"track_name_suffix\":\"clean\"}}",
     NULL},
    /* An empty censor object asks for censoring with the defaults: enough. */
    {"edit-captions",
     "{\"parameters\":{\"asset_id\":\"a1\",\"track_id\":\"t1\",\"auto_censor_profanity\":{}}}", NULL},
    {"generate-engagement-insights",
     "{\"parameters\":{\"asset_id\":\"a1\"},\"passthrough\":\"%[x*255]%\"}", NULL},
    /* passthrough is counted in code points, not bytes. */
    {"generate-engagement-insights",
     "{\"parameters\":{\"asset_id\":\"a1\"},\"passthrough\":\"%[\\u00e9*255]%\"}", NULL},
    {"find-scenes",
     "{\"parameters\":{\"asset_id\":\"a1\",\"language_code\":\"en\",\"min_scenes\":1,"
     "\"min_scene_duration_ms\":1000,\"output_steering\":{\"scope\":{\"start_time\":5,"
     "\"end_time\":60},\"segmentation_strategy\":\"topic_changes\",\"title_style\":\"accessibility\","
     "\"narration_detail\":\"balanced\",\"audience\":\"a\",\"brand_terms\":[\"b\"],"
     "\"topic_taxonomy\":{\"allow_other\":false,\"values\":[{\"label\":\"Intro\",\"aliases\":[],"
     "\"description\":\"\"}],\"name\":\"Parts\"}}}}",
     NULL},
    {"find-best-thumbnails",
     "{\"parameters\":{\"asset_id\":\"a1\",\"max_thumbnails\":5,\"update_asset_thumbnail\":true,"
     "\"output_steering\":{\"scope\":{\"start_time\":0,\"end_time\":10},"
     "\"selection_strategy\":\"brand_safe\",\"looking_for\":\"a smile\",\"audience\":\"kids\","
     "\"campaign_style\":\"bold\",\"scoring_priorities\":[\"focus\",\"brand_fit\"]}}}",
     NULL},
    {"generate-premium-captions",
     "{\"parameters\":{\"asset_id\":\"a1\",\"language_code\":\"en-US\",\"replace_existing\":true,"
     "\"track_name\":\"English (Generated)\",\"include_speakers\":true,\"include_words\":true,"
     "\"upload_to_mux\":true,\"phrases\":[\"Mux Robots\",\" one two  three four five \","
     "\"%[p*49]%\"]}}",
     NULL},
    {"generate-premium-captions",
     "{\"parameters\":{\"asset_id\":\"a1\",\"replace_existing\":false,\"upload_to_mux\":false}}", NULL},
    {"translate-audio",
     "{\"parameters\":{\"asset_id\":\"a1\",\"to_language_code\":\"es-419\",\"upload_to_mux\":false}}",
     NULL},
    /* A taxonomy just under the 2000-character serialized limit. */
    {"summarize",
     "{\"parameters\":{\"asset_id\":\"a\",\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,"
     "\"values\":[%[{\"label\":\"%[a*96]%\"},*17]%{\"label\":\"b\"}]}}}}",
     NULL},
    {"summarize", "{\"parameters\":{\"asset_id\":\"a\",\"language_code\":\"yue\"}}", NULL},
};

/* ---- failing bodies ------------------------------------------------------- */

#define P(x) "{\"parameters\":" x "}"
#define SUM(x) P("{\"asset_id\":\"a\"," x "}")

static const vcase invalid_cases[] = {
    /* Envelope. */
    {"summarize", "[]", "request body must be an object (got array)"},
    {"summarize", "{}", "parameters is required"},
    {"summarize", "{\"parameters\":\"x\"}", "parameters must be an object (got string)"},
    {"summarize", "{\"parameters\":{\"asset_id\":\"a\"},\"foo\":1}",
     "foo is not a known field of the request body"},
    {"summarize", "{\"parameters\":{\"asset_id\":\"a\"},\"passthrough\":\"%[x*256]%\"}",
     "passthrough must be at most 255 characters"},
    {"summarize", "{\"parameters\":{\"asset_id\":\"a\"},\"passthrough\":5}",
     "passthrough must be a string (got integer)"},
    {"summarize", "{\"parameters\":{\"asset_id\":\"a\"},\"passthrough\":null}",
     "passthrough must be a string (got null)"},

    /* Generic rules. */
    {"summarize", SUM("\"foo\":1"), "parameters.foo is not a known parameter of summarize"},
    {"summarize", SUM("\"output_steering\":{\"scope\":{\"start_time\":1,\"foo\":2}}"),
     "parameters.output_steering.scope.foo is not a known parameter of summarize"},
    {"summarize", P("{\"asset_ids\":[\"a\"]}"),
     "parameters.asset_ids is not a known parameter of summarize"},
    {"summarize", P("{}"), "parameters.asset_id is required"},
    {"summarize", P("{\"asset_id\":\"\"}"), "parameters.asset_id must not be empty"},
    {"summarize", P("{\"asset_id\":5}"), "parameters.asset_id must be a string (got integer)"},
    {"summarize", SUM("\"tag_count\":1.5"),
     "parameters.tag_count must be an integer (got non-integer number)"},
    {"summarize", SUM("\"tag_count\":3.0"),
     "parameters.tag_count must be an integer (got non-integer number)"},
    {"summarize", SUM("\"tag_count\":\"3\""), "parameters.tag_count must be an integer (got string)"},
    {"summarize", SUM("\"tag_count\":0"), "parameters.tag_count must be at least 1"},
    {"summarize", SUM("\"title_length\":-3"), "parameters.title_length must be at least 1"},
    {"summarize", SUM("\"description_length\":0"), "parameters.description_length must be at least 1"},
    {"moderate", P("{\"asset_id\":\"a\",\"thresholds\":{\"sexual\":\"0.5\"}}"),
     "parameters.thresholds.sexual must be a number (got string)"},
    {"summarize", SUM("\"update_asset_meta\":\"true\""),
     "parameters.update_asset_meta must be a boolean (got string)"},
    {"summarize", SUM("\"output_steering\":[]"),
     "parameters.output_steering must be an object (got array)"},
    {"ask-questions", P("{\"asset_id\":\"a\",\"questions\":{}}"),
     "parameters.questions must be an array (got object)"},
    {"summarize", SUM("\"tone\":\"sarcastic\""),
     "parameters.tone must be one of: neutral, playful, professional"},
    {"summarize", SUM("\"tone\":null"), "parameters.tone must be a string (got null)"},
    {"summarize", SUM("\"output_steering\":{\"summary_style\":\"long\"}"),
     "parameters.output_steering.summary_style must be one of: concise, detailed, editorial"},
    {"summarize", SUM("\"prompt_overrides\":{\"task\":\"\"}"),
     "parameters.prompt_overrides.task must not be empty"},
    {"summarize", SUM("\"prompt_overrides\":{\"chapter_guidelines\":\"x\"}"),
     "parameters.prompt_overrides.chapter_guidelines is not a known parameter of summarize"},
    {"summarize", SUM("\"output_language_code\":\"\""),
     "parameters.output_language_code must not be empty"},
    {"summarize", SUM("\"output_steering\":{\"brand_terms\":[1]}"),
     "parameters.output_steering.brand_terms[0] must be a string (got integer)"},

    /* Language tags. */
    {"summarize", SUM("\"language_code\":\"english!\""),
     "parameters.language_code must be a BCP 47 language tag such as en, fr or pt-BR "
     "(got \"english!\")"},
    {"summarize", SUM("\"language_code\":\"english\""), "parameters.language_code must be a BCP 47"},
    {"summarize", SUM("\"language_code\":\"e\""), "parameters.language_code must be a BCP 47"},
    {"summarize", SUM("\"language_code\":\"en-\""), "parameters.language_code must be a BCP 47"},
    {"summarize", SUM("\"language_code\":\"en--US\""), "parameters.language_code must be a BCP 47"},
    {"summarize", SUM("\"language_code\":\"1en\""), "parameters.language_code must be a BCP 47"},
    {"summarize", SUM("\"language_code\":\"en_US\""), "parameters.language_code must be a BCP 47"},
    {"summarize", SUM("\"language_code\":\"en-abcdefghi\""),
     "parameters.language_code must be a BCP 47"},
    {"moderate", P("{\"asset_id\":\"a\",\"language_code\":\"en us\"}"),
     "parameters.language_code must be a BCP 47"},
    {"generate-chapters", P("{\"asset_id\":\"a\",\"output_language_code\":\"fr!\"}"),
     "parameters.output_language_code must be a BCP 47"},
    {"find-scenes", P("{\"asset_id\":\"a\",\"language_code\":\"\"}"),
     "parameters.language_code must not be empty"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"language_code\":\"english!\"}"),
     "parameters.language_code must be a BCP 47"},
    {"translate-audio", P("{\"asset_id\":\"a\",\"to_language_code\":\"\"}"),
     "parameters.to_language_code must not be empty"},
    {"translate-audio", P("{\"asset_id\":\"a\"}"), "parameters.to_language_code is required"},

    /* Scope (§4.1). */
    {"summarize", SUM("\"output_steering\":{\"scope\":{\"start_time\":-1}}"),
     "parameters.output_steering.scope.start_time must be at least 0"},
    {"moderate", P("{\"asset_id\":\"a\",\"output_steering\":{\"scope\":{\"end_time\":0}}}"),
     "parameters.output_steering.scope.end_time must be greater than 0"},
    {"find-scenes",
     P("{\"asset_id\":\"a\",\"output_steering\":{\"scope\":{\"start_time\":10,\"end_time\":10}}}"),
     "parameters.output_steering.scope.start_time must be less than end_time"},
    {"find-best-thumbnails",
     P("{\"asset_id\":\"a\",\"output_steering\":{\"scope\":{\"start_time\":20,\"end_time\":10.5}}}"),
     "parameters.output_steering.scope.start_time must be less than end_time"},
    {"generate-chapters", P("{\"asset_id\":\"a\",\"output_steering\":{\"scope\":{}}}"),
     "parameters.output_steering.scope is not a known parameter of generate-chapters"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\"}],\"output_steering\":{\"audience\":\"x\"}}"),
     "parameters.output_steering.audience is not a known parameter of ask-questions"},

    /* ask-questions. */
    {"ask-questions", P("{\"asset_id\":\"a\"}"), "parameters.questions is required"},
    {"ask-questions", P("{\"asset_id\":\"a\",\"questions\":[]}"),
     "parameters.questions must have at least 1 item"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[%[{\"question\":\"q\"},*50]%{\"question\":\"q\"}]}"),
     "parameters.questions must have at most 50 items"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\"},{\"question\":\"q\","
       "\"answer_options\":[\"a\"],\"free_form_reply\":true}]}"),
     "parameters.questions[1] cannot have both answer_options and free_form_reply: true"},
    {"ask-questions", P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"\"}]}"),
     "parameters.questions[0].question must not be empty"},
    {"ask-questions", P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"%[q*601]%\"}]}"),
     "parameters.questions[0].question must be at most 600 characters"},
    {"ask-questions", P("{\"asset_id\":\"a\",\"questions\":[{\"free_form_reply\":true}]}"),
     "parameters.questions[0].question is required"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\",\"answer_options\":[]}]}"),
     "parameters.questions[0].answer_options must have at least 1 item"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\"},{\"question\":\"q\"},"
       "{\"question\":\"q\",\"answer_options\":[\"%[o*151]%\"]}]}"),
     "parameters.questions[2].answer_options[0] must be at most 150 characters"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\",\"answer_options\":[\"yes\",\"\"]}]}"),
     "parameters.questions[0].answer_options[1] must not be empty"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\",\"answers\":[\"yes\"]}]}"),
     "parameters.questions[0].answers is not a known parameter of ask-questions"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\"}],\"max_free_form_answer_length\":0}"),
     "parameters.max_free_form_answer_length must be at least 1"},
    {"ask-questions",
     P("{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\"}],\"max_free_form_answer_length\":1001}"),
     "parameters.max_free_form_answer_length must be at most 1000"},
    {"ask-questions", P("{\"asset_id\":\"a\",\"questions\":[\"q\"]}"),
     "parameters.questions[0] must be an object (got string)"},

    /* edit-captions. */
    {"edit-captions", P("{\"asset_id\":\"a\",\"track_id\":\"t\"}"),
     "parameters must include at least one of replacements, speaker_replacements or "
     "auto_censor_profanity"},
    {"edit-captions", P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"replacements\":[]}"),
     "parameters must include at least one of"},
    {"edit-captions", P("{\"asset_id\":\"a\",\"replacements\":[{\"find\":\"x\",\"replace\":\"y\"}]}"),
     "parameters.track_id is required"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"\",\"replacements\":[{\"find\":\"x\",\"replace\":\"y\"}]}"),
     "parameters.track_id must not be empty"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"replacements\":[{\"find\":\"\",\"replace\":\"y\"}]}"),
     "parameters.replacements[0].find must not be empty"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"replacements\":[{\"find\":\"x\"}]}"),
     "parameters.replacements[0].replace is required"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"replacements\":[{\"find\":\"x\",\"replace\":\"y\","
       "\"case_sensitive\":1}]}"),
     "parameters.replacements[0].case_sensitive must be a boolean (got integer)"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"speaker_replacements\":[{\"find\":\"[speaker_0]\","
       "\"replace\":\"Alice\"}]}"),
     "parameters.speaker_replacements[0].find must not contain brackets"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"speaker_replacements\":[{\"find\":\"s0\","
       "\"replace\":\"Alice\"},{\"find\":\"s1\",\"replace\":\"Bob]\"}]}"),
     "parameters.speaker_replacements[1].replace must not contain brackets"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"auto_censor_profanity\":{\"mode\":\"stars\"}}"),
     "parameters.auto_censor_profanity.mode must be one of: blank, remove, mask"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"auto_censor_profanity\":{\"detection_method\":\"regex\"}}"),
     "parameters.auto_censor_profanity.detection_method must be one of: llm"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"auto_censor_profanity\":{},\"track_name_suffix\":\"\"}"),
     "parameters.track_name_suffix must not be empty"},
    {"edit-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"auto_censor_profanity\":{\"always_censor\":\"x\"}}"),
     "parameters.auto_censor_profanity.always_censor must be an array (got string)"},

    /* find-key-moments. */
    {"find-key-moments", P("{\"asset_id\":\"a\",\"target_duration_ms\":{\"max\":5000}}"),
     "parameters.target_duration_ms.min is required"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"target_duration_ms\":{\"min\":5000}}"),
     "parameters.target_duration_ms.max is required"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"target_duration_ms\":{\"min\":1,\"max\":0}}"),
     "parameters.target_duration_ms.max must be greater than 0"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"target_duration_ms\":{\"min\":1.5,\"max\":3}}"),
     "parameters.target_duration_ms.min must be an integer (got non-integer number)"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"target_duration_ms\":{\"min\":9000,\"max\":3000}}"),
     "parameters.target_duration_ms.min must not be greater than max"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"max_moments\":26}"),
     "parameters.max_moments must be at most 25"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"max_moments\":0}"),
     "parameters.max_moments must be at least 1"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"use_shots\":\"yes\"}"),
     "parameters.use_shots must be a boolean (got string)"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"use_shots\":true}"),
     "parameters.use_shots must be false: true is not supported, this server has no shot "
     "detection yet; omit it to select moments from the transcript"},
    {"find-key-moments",
     P("{\"asset_id\":\"a\",\"output_steering\":{\"rubric_priorities\":[\"novelty\",\"humor\"]}}"),
     "parameters.output_steering.rubric_priorities[1] must be one of: clarity_in_isolation, "
     "emotional_intensity, novelty, soundbite_quality"},
    {"find-key-moments", P("{\"asset_id\":\"a\",\"output_steering\":{\"title_style\":\"seo\"}}"),
     "parameters.output_steering.title_style must be one of: descriptive, punchy, educational, social"},
    {"find-key-moments",
     P("{\"asset_id\":\"a\",\"output_steering\":{\"topic_taxonomy\":{\"allow_other\":true,"
       "\"values\":[{\"label\":\"%[l*101]%\"}]}}}"),
     "parameters.output_steering.topic_taxonomy.values[0].label must be at most 100 characters"},

    /* Taxonomies (§4.2). */
    {"summarize", SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,\"values\":[]}}"),
     "parameters.output_steering.tag_taxonomy.values must have at least 1 item"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,"
         "\"values\":[%[{\"label\":\"a\"},*50]%{\"label\":\"b\"}]}}"),
     "parameters.output_steering.tag_taxonomy.values must have at most 50 items"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,"
         "\"values\":[%[{\"label\":\"%[a*96]%\"},*19]%{\"label\":\"b\"}]}}"),
     "parameters.output_steering.tag_taxonomy must be at most 2000 characters when serialized"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,\"name\":\"%[n*101]%\","
         "\"values\":[{\"label\":\"a\"}]}}"),
     "parameters.output_steering.tag_taxonomy.name must be at most 100 characters"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,"
         "\"values\":[{\"label\":\"%[l*101]%\"}]}}"),
     "parameters.output_steering.tag_taxonomy.values[0].label must be at most 100 characters"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,"
         "\"values\":[{\"description\":\"d\"}]}}"),
     "parameters.output_steering.tag_taxonomy.values[0].label is required"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,"
         "\"values\":[{\"label\":\"a\",\"description\":\"%[d*301]%\"}]}}"),
     "parameters.output_steering.tag_taxonomy.values[0].description must be at most 300 characters"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,"
         "\"values\":[{\"label\":\"a\",\"aliases\":[%[\"x\",*10]%\"y\"]}]}}"),
     "parameters.output_steering.tag_taxonomy.values[0].aliases must have at most 10 items"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true,"
         "\"values\":[{\"label\":\"a\"},{\"label\":\"b\",\"aliases\":[\"%[z*101]%\"]}]}}"),
     "parameters.output_steering.tag_taxonomy.values[1].aliases[0] must be at most 100 characters"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"values\":[{\"label\":\"a\"}]}}"),
     "parameters.output_steering.tag_taxonomy.allow_other is required"},
    {"summarize",
     SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":\"no\",\"values\":[{\"label\":\"a\"}]}}"),
     "parameters.output_steering.tag_taxonomy.allow_other must be a boolean (got string)"},
    {"summarize", SUM("\"output_steering\":{\"tag_taxonomy\":{\"allow_other\":true}}"),
     "parameters.output_steering.tag_taxonomy.values is required"},
    {"find-scenes",
     P("{\"asset_id\":\"a\",\"output_steering\":{\"topic_taxonomy\":{\"allow_other\":true,"
       "\"values\":[%[{\"label\":\"a\"},*50]%{\"label\":\"z\"}]}}}"),
     "parameters.output_steering.topic_taxonomy.values must have at most 50 items"},
    {"find-scenes",
     P("{\"asset_id\":\"a\",\"output_steering\":{\"topic_taxonomy\":{\"allow_other\":true,"
       "\"values\":[%[{\"label\":\"%[a*96]%\"},*19]%{\"label\":\"b\"}]}}}"),
     "parameters.output_steering.topic_taxonomy must be at most 2000 characters when serialized"},

    /* translate-captions never_translate. */
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\",\"never_translate\":[\"a<b\"]}"),
     "parameters.never_translate[0] must not contain < or >"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\","
       "\"never_translate\":[\"ok\",\"b>\"]}"),
     "parameters.never_translate[1] must not contain < or >"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\","
       "\"never_translate\":[\"Mux\\u200b\"]}"),
     "parameters.never_translate[0] must not contain invisible or control characters (U+200B)"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\","
       "\"never_translate\":[\"a\\tb\"]}"),
     "parameters.never_translate[0] must not contain invisible or control characters (U+0009)"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\","
       "\"never_translate\":[\"a\\u2028b\"]}"),
     "parameters.never_translate[0] must not contain invisible or control characters (U+2028)"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\","
       "\"never_translate\":[\"a\\u2029b\"]}"),
     "parameters.never_translate[0] must not contain invisible or control characters (U+2029)"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\","
       "\"never_translate\":[\"New\\u00a0York\"]}"),
     "parameters.never_translate[0] must not contain invisible or control characters (U+00A0)"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\","
       "\"never_translate\":[\"Cafe\\u0301\"]}"),
     "parameters.never_translate[0] must be in Unicode normalization form C"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\",\"never_translate\":[\"\"]}"),
     "parameters.never_translate[0] must not be empty"},
    {"translate-captions",
     P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"fr\",\"never_translate\":\"Mux\"}"),
     "parameters.never_translate must be an array (got string)"},
    {"translate-captions", P("{\"asset_id\":\"a\",\"track_id\":\"t\"}"),
     "parameters.to_language_code is required"},
    {"translate-captions", P("{\"asset_id\":\"a\",\"track_id\":\"t\",\"to_language_code\":\"english!\"}"),
     "parameters.to_language_code must be a BCP 47 language tag"},
    {"translate-captions", P("{\"asset_id\":\"a\",\"track_id\":\"\",\"to_language_code\":\"fr\"}"),
     "parameters.track_id must not be empty"},

    /* generate-premium-captions. */
    {"generate-premium-captions",
     P("{\"asset_id\":\"a\",\"replace_existing\":true,\"upload_to_mux\":false}"),
     "parameters.replace_existing must be false when upload_to_mux is false"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"phrases\":[\"%[p*50]%\"]}"),
     "parameters.phrases[0] must be at most 49 characters"},
    {"generate-premium-captions",
     P("{\"asset_id\":\"a\",\"phrases\":[\"ok\",\"one two three four five six\"]}"),
     "parameters.phrases[1] must be at most 5 words"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"phrases\":[\"a<b\"]}"),
     "parameters.phrases[0] must not contain any of < > { } [ ] \\"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"phrases\":[\"a>b\"]}"),
     "parameters.phrases[0] must not contain any of"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"phrases\":[\"{x\"]}"),
     "parameters.phrases[0] must not contain any of"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"phrases\":[\"x}\"]}"),
     "parameters.phrases[0] must not contain any of"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"phrases\":[\"[x\"]}"),
     "parameters.phrases[0] must not contain any of"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"phrases\":[\"x]\"]}"),
     "parameters.phrases[0] must not contain any of"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"phrases\":[\"a\\\\b\"]}"),
     "parameters.phrases[0] must not contain any of"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"track_name\":\"\"}"),
     "parameters.track_name must not be empty"},
    {"generate-premium-captions", P("{\"asset_id\":\"a\",\"replace_existing_tracks\":\"fail\"}"),
     "parameters.replace_existing_tracks is not a known parameter of generate-premium-captions"},

    /* moderate. */
    {"moderate", P("{\"asset_id\":\"a\",\"thresholds\":{\"sexual\":1.5}}"),
     "parameters.thresholds.sexual must be at most 1"},
    {"moderate", P("{\"asset_id\":\"a\",\"thresholds\":{\"violence\":-0.1}}"),
     "parameters.thresholds.violence must be at least 0"},
    {"moderate", P("{\"asset_id\":\"a\",\"thresholds\":{\"hate\":0.5}}"),
     "parameters.thresholds.hate is not a known parameter of moderate"},
    {"moderate", P("{\"asset_id\":\"a\",\"sampling_interval\":4}"),
     "parameters.sampling_interval must be at least 5"},
    {"moderate", P("{\"asset_id\":\"a\",\"sampling_interval\":5.5}"),
     "parameters.sampling_interval must be an integer (got non-integer number)"},
    {"moderate", P("{\"asset_id\":\"a\",\"max_samples\":0}"), "parameters.max_samples must be at least 1"},
    {"moderate", P("{\"asset_id\":\"a\",\"on_flagged\":{}}"), "parameters.on_flagged.action is required"},
    {"moderate", P("{\"asset_id\":\"a\",\"on_flagged\":{\"action\":\"delete\"}}"),
     "parameters.on_flagged.action must be one of: delete_playback_ids"},

    /* find-best-thumbnails. */
    {"find-best-thumbnails", P("{\"asset_id\":\"a\",\"max_thumbnails\":0}"),
     "parameters.max_thumbnails must be at least 1"},
    {"find-best-thumbnails", P("{\"asset_id\":\"a\",\"max_thumbnails\":6}"),
     "parameters.max_thumbnails must be at most 5"},
    {"find-best-thumbnails",
     P("{\"asset_id\":\"a\",\"output_steering\":{\"scoring_priorities\":[\"focus\",\"faces\"]}}"),
     "parameters.output_steering.scoring_priorities[1] must be one of: focus, face_or_action, "
     "composition, contrast_color, brand_fit"},
    {"find-best-thumbnails",
     P("{\"asset_id\":\"a\",\"output_steering\":{\"selection_strategy\":\"random\"}}"),
     "parameters.output_steering.selection_strategy must be one of: face_or_action"},

    /* find-scenes. */
    {"find-scenes", P("{\"asset_id\":\"a\",\"min_scene_duration_ms\":999}"),
     "parameters.min_scene_duration_ms must be at least 1000"},
    {"find-scenes", P("{\"asset_id\":\"a\",\"min_scenes\":0}"), "parameters.min_scenes must be at least 1"},
    {"find-scenes", P("{\"asset_id\":\"a\",\"output_steering\":{\"narration_detail\":\"verbose\"}}"),
     "parameters.output_steering.narration_detail must be one of: concise, balanced, detailed"},

    /* generate-engagement-insights takes asset_id only. */
    {"generate-engagement-insights", P("{\"asset_id\":\"a\",\"output_steering\":{}}"),
     "parameters.output_steering is not a known parameter of generate-engagement-insights"},
    {"generate-engagement-insights", P("{\"asset_id\":\"\"}"), "parameters.asset_id must not be empty"},
    {"generate-chapters", P("{\"asset_id\":\"a\",\"prompt_overrides\":{\"title_guidelines\":\"\"}}"),
     "parameters.prompt_overrides.title_guidelines must not be empty"},
};

static void run_case(const vcase *c, size_t index)
{
    char *text = expand(c->body);
    json_error_t jerr;
    json_t *body = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!body)
        fail_msg("case %zu (%s): fixture is not JSON: %s", index, c->workflow, jerr.text);
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_validate_job_request(c->workflow, body, &err);
    if (!c->expect) {
        if (rc != RB_OK)
            fail_msg("case %zu (%s): expected valid, got %d: %s", index, c->workflow, rc,
                     err.message);
    } else {
        if (rc != RB_ERR)
            fail_msg("case %zu (%s): expected \"%s\", got rc %d", index, c->workflow, c->expect, rc);
        assert_int_equal(err.status, 400);
        assert_string_equal(err.type, "invalid_parameters");
        if (strncmp(err.message, c->expect, strlen(c->expect)) != 0)
            fail_msg("case %zu (%s):\n  expected prefix: %s\n  got:             %s", index,
                     c->workflow, c->expect, err.message);
    }
    json_decref(body);
    free(text);
}

static void test_valid_bodies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++)
        run_case(&valid_cases[i], i);
}

static void test_invalid_bodies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invalid_cases / sizeof invalid_cases[0]; i++)
        run_case(&invalid_cases[i], i);
}

/* Every workflow has a valid case, so no table is accidentally unreachable. */
static void test_every_workflow_has_valid_case(void **state)
{
    (void)state;
    for (const char *const *w = rb_workflow_names(); *w; w++) {
        int found = 0;
        for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++)
            found |= strcmp(valid_cases[i].workflow, *w) == 0;
        if (!found)
            fail_msg("no valid case for %s", *w);
    }
}

static void test_workflow_names(void **state)
{
    (void)state;
    static const char *const expected[] = {
        "summarize", "moderate", "generate-chapters", "find-scenes", "edit-captions",
        "translate-captions", "translate-audio", "ask-questions", "find-key-moments",
        "generate-engagement-insights", "generate-premium-captions", "find-best-thumbnails",
    };
    const char *const *names = rb_workflow_names();
    size_t n = 0;
    for (; names[n]; n++) {
        assert_true(n < 12);
        assert_string_equal(names[n], expected[n]);
        assert_int_equal(rb_workflow_known(names[n]), 1);
        assert_non_null(rb_params_schema(names[n]));
    }
    assert_int_equal(n, 12);
    assert_int_equal(rb_workflow_known("edit_captions"), 0);
    assert_int_equal(rb_workflow_known(""), 0);
    assert_int_equal(rb_workflow_known(NULL), 0);
    assert_null(rb_params_schema("analyze-structure"));
}

static void test_unknown_workflow(void **state)
{
    (void)state;
    json_t *body = json_loads("{\"parameters\":{\"asset_id\":\"a\"}}", 0, NULL);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_validate_job_request("summarise", body, &err), RB_NOTFOUND);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.type, "not_found");
    assert_string_equal(err.message, "unknown workflow summarise");
    /* A name that is not short printable ASCII is not echoed. */
    rb_err_clear(&err);
    assert_int_equal(rb_validate_job_request("bad\nname", body, &err), RB_NOTFOUND);
    assert_string_equal(err.message, "unknown workflow");
    json_decref(body);

    rb_err_clear(&err);
    assert_int_equal(rb_validate_job_request("summarize", NULL, &err), RB_ERR);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.message, "request body must be a JSON object");
}

/* A huge multi-byte unknown key is echoed cut, on a code-point boundary, so the
 * message can still become a JSON string. */
static void test_long_unknown_key_message_is_valid_utf8(void **state)
{
    (void)state;
    char *text = expand("{\"parameters\":{\"asset_id\":\"a\",\"%[\\u00e9*5000]%\":1}}");
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_validate_job_request("summarize", body, &err), RB_ERR);
    assert_true(strncmp(err.message, "parameters.\xC3\xA9", 13) == 0);
    assert_non_null(strstr(err.message, "\xE2\x80\xA6 is not a known parameter of summarize"));
    json_t *s = json_string(err.message);
    assert_non_null(s);
    json_decref(s);
    json_decref(body);
    free(text);
}

/* The table engine on its own, with a hand-written table: exclusive maximum,
 * any-object, and the per-field check. */
static int reject_x(const json_t *v, const char *path, rb_err *err)
{
    return strcmp(json_string_value(v), "x") == 0 ? rb_verr(err, path, "must not be x") : RB_OK;
}

static void test_engine_direct(void **state)
{
    (void)state;
    static const rb_vfield fields[] = {
        {.name = "ratio", .type = RB_VT_NUMBER, .flags = RB_VF_MAX | RB_VF_MAX_EXCL, .max = 1},
        {.name = "blob", .type = RB_VT_ANY_OBJECT},
        {.name = "word", .type = RB_VT_STRING, .check = reject_x},
        {0},
    };
    static const rb_vschema schema = {.fields = fields};
    static const rb_vfield top = {.type = RB_VT_OBJECT, .object = &schema};
    rb_err err;

    json_t *ok = json_loads("{\"ratio\":0.99,\"blob\":{\"anything\":[1,{\"goes\":null}]},\"word\":\"y\"}",
                            0, NULL);
    assert_int_equal(rb_validate_value(&top, ok, "cfg", "test", &err), RB_OK);
    json_decref(ok);

    json_t *bad = json_loads("{\"ratio\":1}", 0, NULL);
    assert_int_equal(rb_validate_value(&top, bad, "cfg", "test", &err), RB_ERR);
    assert_string_equal(err.message, "cfg.ratio must be less than 1");
    json_decref(bad);

    bad = json_loads("{\"blob\":[]}", 0, NULL);
    assert_int_equal(rb_validate_value(&top, bad, "cfg", "test", &err), RB_ERR);
    assert_string_equal(err.message, "cfg.blob must be an object (got array)");
    json_decref(bad);

    bad = json_loads("{\"word\":\"x\"}", 0, NULL);
    assert_int_equal(rb_validate_value(&top, bad, "cfg", "test", &err), RB_ERR);
    assert_string_equal(err.message, "cfg.word must not be x");
    json_decref(bad);

    /* A string with an embedded NUL (only possible with JSON_ALLOW_NUL). */
    bad = json_loads("{\"word\":\"a\\u0000b\"}", JSON_ALLOW_NUL, NULL);
    assert_non_null(bad);
    assert_int_equal(rb_validate_value(&top, bad, "cfg", "test", &err), RB_ERR);
    assert_string_equal(err.message, "cfg.word must not contain NUL characters");
    json_decref(bad);
}

static void test_utf8_length(void **state)
{
    (void)state;
    assert_int_equal(rb_utf8_length("", 0), 0);
    assert_int_equal(rb_utf8_length("abc", 3), 3);
    assert_int_equal(rb_utf8_length("\xC3\xA9t\xC3\xA9", 5), 3);        /* été */
    assert_int_equal(rb_utf8_length("\xF0\x9F\x98\x80", 4), 1);         /* one emoji */
}

/* ---- canonical JSON ---------------------------------------------------------- */

static char *canon_of(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    char *c = rb_json_canonical(v);
    json_decref(v);
    assert_non_null(c);
    return c;
}

static void test_canonical_key_order(void **state)
{
    (void)state;
    char *a = canon_of("{\"b\": 1, \"a\": [3, {\"d\": true, \"c\": null}], \"\\u00e9\": \"x\", \"B\": 2}");
    char *b = canon_of("{\"\\u00e9\":\"x\",\"B\":2,\"a\":[3,{\"c\":null,\"d\":true}],\"b\":1}");
    assert_string_equal(a, b);
    /* Byte order: "B" (0x42) < "a" < "b" < "é" (0xC3 0xA9); nested keys sorted too. */
    assert_string_equal(a, "{\"B\":2,\"a\":[3,{\"c\":null,\"d\":true}],\"b\":1,\"\xC3\xA9\":\"x\"}");
    free(a);
    free(b);

    /* A key that is a prefix of another sorts first. */
    a = canon_of("{\"ab\":1,\"a\":2}");
    assert_string_equal(a, "{\"a\":2,\"ab\":1}");
    free(a);

    char h1[65], h2[65];
    json_t *x = json_loads("{\"parameters\":{\"asset_id\":\"a\",\"tone\":\"neutral\"}}", 0, NULL);
    json_t *y = json_loads("{\"parameters\":{\"tone\":\"neutral\",\"asset_id\":\"a\"}}", 0, NULL);
    assert_int_equal(rb_json_canonical_sha256(x, h1), RB_OK);
    assert_int_equal(rb_json_canonical_sha256(y, h2), RB_OK);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);
    json_object_set_new(y, "passthrough", json_string("p"));
    assert_int_equal(rb_json_canonical_sha256(y, h2), RB_OK);
    assert_string_not_equal(h1, h2);
    json_decref(x);
    json_decref(y);
}

static void test_canonical_arrays_and_scalars(void **state)
{
    (void)state;
    char *a = canon_of("[2, 1, {\"z\": [\"b\", \"a\"], \"y\": {}}]");
    char *b = canon_of("[1, 2, {\"y\": {}, \"z\": [\"b\", \"a\"]}]");
    /* Arrays are ordered data: [2,1] and [1,2] are different requests. */
    assert_string_equal(a, "[2,1,{\"y\":{},\"z\":[\"b\",\"a\"]}]");
    assert_string_not_equal(a, b);
    free(a);
    free(b);

    a = canon_of("\"a\\\"b\\n\\u00e9\"");
    assert_string_equal(a, "\"a\\\"b\\n\xC3\xA9\"");
    free(a);
    a = canon_of("1.5");
    assert_string_equal(a, "1.5");
    free(a);
    a = canon_of("1");
    b = canon_of("1.0");
    assert_string_equal(a, "1");
    assert_string_equal(b, "1.0");
    free(a);
    free(b);
    a = canon_of("{ }");
    assert_string_equal(a, "{}");
    free(a);
    assert_null(rb_json_canonical(NULL));
}

/* ---- defaults ----------------------------------------------------------------- */

/* Every documented default must itself pass its field's rules. */
static size_t check_defaults(const rb_vschema *schema, const char *workflow)
{
    size_t n = 0;
    for (const rb_vfield *f = schema->fields; f->name; f++) {
        if (f->def) {
            json_t *d = json_loads(f->def, JSON_DECODE_ANY, NULL);
            if (!d)
                fail_msg("%s.%s: default %s is not JSON", workflow, f->name, f->def);
            rb_err err;
            if (rb_validate_value(f, d, f->name, workflow, &err))
                fail_msg("%s.%s: default %s fails: %s", workflow, f->name, f->def, err.message);
            json_decref(d);
            n++;
        }
        if (f->object)
            n += check_defaults(f->object, workflow);
        if (f->item && f->item->object)
            n += check_defaults(f->item->object, workflow);
    }
    return n;
}

static void test_defaults_are_valid(void **state)
{
    (void)state;
    size_t n = 0;
    for (const char *const *w = rb_workflow_names(); *w; w++)
        n += check_defaults(rb_params_schema(*w), *w);
    assert_true(n >= 25);
}

static json_t *with_defaults(const char *workflow, const char *params_text)
{
    json_t *p = json_loads(params_text, 0, NULL);
    assert_non_null(p);
    char *before = rb_json_canonical(p);
    json_t *out = rb_params_with_defaults(workflow, p);
    assert_non_null(out);
    /* The input (what the job stores and echoes) is left as sent. */
    char *after = rb_json_canonical(p);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(p);
    return out;
}

static void assert_canon(const json_t *v, const char *expected)
{
    char *c = rb_json_canonical(v);
    assert_string_equal(c, expected);
    free(c);
}

static void test_params_with_defaults(void **state)
{
    (void)state;
    json_t *o = with_defaults("summarize", "{\"asset_id\":\"a\",\"tag_count\":3}");
    assert_canon(o, "{\"asset_id\":\"a\",\"tag_count\":3,\"tone\":\"neutral\","
                    "\"update_asset_meta\":false}");
    json_decref(o);

    /* jansson writes reals with 17 significant digits (exact round trip). */
    o = with_defaults("moderate", "{\"asset_id\":\"a\"}");
    assert_canon(o, "{\"asset_id\":\"a\",\"sampling_interval\":10,\"thresholds\":"
                    "{\"sexual\":0.69999999999999996,\"violence\":0.80000000000000004}}");
    json_decref(o);
    o = with_defaults("moderate", "{\"asset_id\":\"a\",\"thresholds\":{\"sexual\":0.2}}");
    assert_canon(o, "{\"asset_id\":\"a\",\"sampling_interval\":10,"
                    "\"thresholds\":{\"sexual\":0.20000000000000001,"
                    "\"violence\":0.80000000000000004}}");
    json_decref(o);

    /* Nested defaults only inside objects the caller sent. */
    o = with_defaults("edit-captions", "{\"asset_id\":\"a\",\"track_id\":\"t\","
                                       "\"replacements\":[{\"find\":\"x\",\"replace\":\"y\"}]}");
    assert_canon(o, "{\"asset_id\":\"a\",\"delete_original_track\":true,"
                    "\"replacements\":[{\"case_sensitive\":false,\"find\":\"x\",\"replace\":\"y\"}],"
                    "\"track_id\":\"t\",\"track_name_suffix\":\"edited\",\"upload_to_mux\":true}");
    json_decref(o);
    o = with_defaults("edit-captions", "{\"asset_id\":\"a\",\"track_id\":\"t\","
                                       "\"auto_censor_profanity\":{\"mode\":\"mask\"}}");
    assert_canon(json_object_get(o, "auto_censor_profanity"),
                 "{\"detection_method\":\"llm\",\"mode\":\"mask\"}");
    json_decref(o);

    o = with_defaults("ask-questions", "{\"asset_id\":\"a\",\"questions\":[{\"question\":\"q\"}]}");
    assert_canon(o, "{\"asset_id\":\"a\",\"max_free_form_answer_length\":500,"
                    "\"questions\":[{\"free_form_reply\":false,\"question\":\"q\"}]}");
    json_decref(o);

    o = with_defaults("find-best-thumbnails", "{\"asset_id\":\"a\"}");
    assert_int_equal(json_integer_value(json_object_get(o, "max_thumbnails")), 1);
    json_decref(o);
    o = with_defaults("find-scenes", "{\"asset_id\":\"a\"}");
    assert_int_equal(json_integer_value(json_object_get(o, "min_scene_duration_ms")), 15000);
    json_decref(o);
    o = with_defaults("generate-premium-captions", "{\"asset_id\":\"a\"}");
    assert_canon(o, "{\"asset_id\":\"a\",\"include_speakers\":false,\"include_words\":false,"
                    "\"replace_existing\":false,\"upload_to_mux\":true}");
    json_decref(o);
    o = with_defaults("generate-engagement-insights", "{\"asset_id\":\"a\"}");
    assert_canon(o, "{\"asset_id\":\"a\"}");
    json_decref(o);

    json_t *p = json_loads("{\"asset_id\":\"a\"}", 0, NULL);
    assert_null(rb_params_with_defaults("nope", p));
    json_decref(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_bodies),
        cmocka_unit_test(test_invalid_bodies),
        cmocka_unit_test(test_every_workflow_has_valid_case),
        cmocka_unit_test(test_workflow_names),
        cmocka_unit_test(test_unknown_workflow),
        cmocka_unit_test(test_long_unknown_key_message_is_valid_utf8),
        cmocka_unit_test(test_engine_direct),
        cmocka_unit_test(test_utf8_length),
        cmocka_unit_test(test_canonical_key_order),
        cmocka_unit_test(test_canonical_arrays_and_scalars),
        cmocka_unit_test(test_defaults_are_valid),
        cmocka_unit_test(test_params_with_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
