/* params.c — the parameter tables of the 12 Robots workflows (spec §4, §5),
 * the request envelope (§1.3), and the rules that span several fields.
 *
 * Everything here is data for the engine in validate.c: one static const
 * table per workflow, shared sub-tables for the building blocks of §4, and a
 * few check callbacks for what a table cannot say (mutual exclusion, min ≤
 * max, serialized size, Unicode content rules). */
#include "api/validate.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- field shorthands ---------------------------------------------------
 * Designated initializers keep every table entry readable as "name, type,
 * rules"; these macros only name the common combinations. */

#define F_END {0}
/* A string that must not be empty (spec: minLength 1). */
#define F_STR1(n, fl) {.name = (n), .type = RB_VT_STRING, .flags = (fl), .min_len = 1}
#define F_STR(n) {.name = (n), .type = RB_VT_STRING}
/* A boolean with a documented default: d is "true" or "false". */
#define F_BOOLD(n, d) {.name = (n), .type = RB_VT_BOOLEAN, .def = (d)}
#define F_ENUM(n, vals) {.name = (n), .type = RB_VT_STRING, .enum_values = (vals)}
#define F_LANG(n, fl) \
    {.name = (n), .type = RB_VT_STRING, .flags = (fl), .min_len = 1, \
     .check = rb_vcheck_language_tag}
#define F_OBJ(n, fl, schema) {.name = (n), .type = RB_VT_OBJECT, .flags = (fl), .object = &(schema)}
#define F_ASSET_ID F_STR1("asset_id", RB_VF_REQUIRED)

/* ---- shared item schemas ------------------------------------------------ */

static const rb_vfield any_string_item = {.type = RB_VT_STRING};
static const rb_vfield nonempty_string_item = {.type = RB_VT_STRING, .min_len = 1};

/* ---- §4.1 output_steering.scope ----------------------------------------- */

static int scope_check(const json_t *obj, const char *path, rb_err *err)
{
    const json_t *s = json_object_get(obj, "start_time");
    const json_t *e = json_object_get(obj, "end_time");
    /* Start inclusive, end exclusive: an empty window is a caller mistake. */
    if (s && e && !(json_number_value(s) < json_number_value(e)))
        return rb_verr_field(err, path, "start_time", "must be less than end_time");
    return RB_OK;
}

static const rb_vfield scope_fields[] = {
    {.name = "start_time", .type = RB_VT_NUMBER, .flags = RB_VF_MIN, .min = 0},
    {.name = "end_time", .type = RB_VT_NUMBER, .flags = RB_VF_MIN | RB_VF_MIN_EXCL, .min = 0},
    F_END,
};
static const rb_vschema scope_schema = {.fields = scope_fields, .check = scope_check};

#define F_SCOPE F_OBJ("scope", 0, scope_schema)
#define F_AUDIENCE F_STR("audience")
#define F_BRAND_TERMS {.name = "brand_terms", .type = RB_VT_ARRAY, .item = &any_string_item}

/* output_steering of the workflows whose steering is only a window. */
static const rb_vfield scope_only_steering_fields[] = {F_SCOPE, F_END};
static const rb_vschema scope_only_steering = {.fields = scope_only_steering_fields};

/* ---- §4.2 taxonomies ----------------------------------------------------- */

#define TAXONOMY_MAX_SERIALIZED 2000

static int taxonomy_check(const json_t *obj, const char *path, rb_err *err)
{
    /* "Serialized" is read as the compact JSON text of the taxonomy object,
     * counted in code points like every other length here. */
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    size_t n = rb_utf8_length(text, strlen(text));
    free(text);
    if (n > TAXONOMY_MAX_SERIALIZED)
        return rb_verr(err, path,
                       "must be at most %d characters when serialized as JSON (it is %zu)",
                       TAXONOMY_MAX_SERIALIZED, n);
    return RB_OK;
}

static const rb_vfield taxonomy_alias_item = {.type = RB_VT_STRING, .min_len = 1, .max_len = 100};
static const rb_vfield taxonomy_value_fields[] = {
    {.name = "label", .type = RB_VT_STRING, .flags = RB_VF_REQUIRED, .min_len = 1, .max_len = 100},
    {.name = "aliases", .type = RB_VT_ARRAY, .max_items = 10, .item = &taxonomy_alias_item},
    {.name = "description", .type = RB_VT_STRING, .max_len = 300},
    F_END,
};
static const rb_vschema taxonomy_value_schema = {.fields = taxonomy_value_fields};
static const rb_vfield taxonomy_value_item = {.type = RB_VT_OBJECT,
                                              .object = &taxonomy_value_schema};
static const rb_vfield taxonomy_fields[] = {
    {.name = "allow_other", .type = RB_VT_BOOLEAN, .flags = RB_VF_REQUIRED},
    {.name = "values", .type = RB_VT_ARRAY, .flags = RB_VF_REQUIRED, .min_items = 1,
     .max_items = 50, .item = &taxonomy_value_item},
    {.name = "name", .type = RB_VT_STRING, .max_len = 100},
    F_END,
};
/* SummaryTagTaxonomy and (inferred, §4.2) OutputSteeringTaxonomy share limits. */
static const rb_vschema taxonomy_schema = {.fields = taxonomy_fields, .check = taxonomy_check};

/* ---- enums --------------------------------------------------------------- */

static const char *const tone_values[] = {"neutral", "playful", "professional", NULL};
static const char *const summary_style_values[] = {"concise", "detailed", "editorial", NULL};
static const char *const chapter_style_values[] = {"descriptive", "punchy", "educational", "seo",
                                                   "platform_neutral", NULL};
static const char *const chapter_granularity_values[] = {"coarse", "balanced", "fine", NULL};
static const char *const km_selection_values[] = {"standalone_hooks", "educational_takeaways",
                                                  "story_beats", "product_moments",
                                                  "speaker_highlights", NULL};
static const char *const km_title_style_values[] = {"descriptive", "punchy", "educational",
                                                    "social", NULL};
static const char *const km_rubric_values[] = {"clarity_in_isolation", "emotional_intensity",
                                               "novelty", "soundbite_quality", NULL};
static const char *const scene_segmentation_values[] = {"editorial_beats", "topic_changes",
                                                        "visual_transitions",
                                                        "action_progression",
                                                        "instructional_steps", NULL};
static const char *const scene_title_style_values[] = {"descriptive", "editorial",
                                                       "search_optimized", "accessibility", NULL};
static const char *const scene_narration_values[] = {"concise", "balanced", "detailed", NULL};
static const char *const thumb_selection_values[] = {"face_or_action", "clean_composition",
                                                     "high_contrast", "brand_safe",
                                                     "campaign_thumbnail", NULL};
static const char *const thumb_priority_values[] = {"focus", "face_or_action", "composition",
                                                    "contrast_color", "brand_fit", NULL};
static const char *const flagged_action_values[] = {"delete_playback_ids", NULL};
static const char *const censor_method_values[] = {"llm", NULL};
static const char *const censor_mode_values[] = {"blank", "remove", "mask", NULL};

/* ---- 5.1 summarize ------------------------------------------------------- */

static const rb_vfield summarize_steering_fields[] = {
    F_SCOPE,
    F_ENUM("summary_style", summary_style_values),
    F_AUDIENCE,
    F_BRAND_TERMS,
    F_OBJ("tag_taxonomy", 0, taxonomy_schema),
    F_END,
};
static const rb_vschema summarize_steering = {.fields = summarize_steering_fields};

static const rb_vfield summarize_prompt_fields[] = {
    F_STR1("task", 0), F_STR1("title", 0), F_STR1("description", 0), F_STR1("keywords", 0),
    F_STR1("quality_guidelines", 0), F_END,
};
static const rb_vschema summarize_prompt = {.fields = summarize_prompt_fields};

static const rb_vfield summarize_fields[] = {
    F_ASSET_ID,
    {.name = "tone", .type = RB_VT_STRING, .enum_values = tone_values, .def = "\"neutral\""},
    {.name = "title_length", .type = RB_VT_INTEGER, .flags = RB_VF_MIN, .min = 1},
    {.name = "description_length", .type = RB_VT_INTEGER, .flags = RB_VF_MIN, .min = 1},
    {.name = "tag_count", .type = RB_VT_INTEGER, .flags = RB_VF_MIN, .min = 1, .def = "10"},
    F_LANG("language_code", 0),
    F_LANG("output_language_code", 0),
    F_OBJ("output_steering", 0, summarize_steering),
    F_OBJ("prompt_overrides", 0, summarize_prompt),
    F_BOOLD("update_asset_meta", "false"),
    F_END,
};
static const rb_vschema summarize_schema = {.fields = summarize_fields};

/* ---- 5.2 moderate -------------------------------------------------------- */

#define F_SCORE(n, d) \
    {.name = (n), .type = RB_VT_NUMBER, .flags = RB_VF_MIN | RB_VF_MAX, .min = 0, .max = 1, \
     .def = (d)}
/* Robots' defaults, not @mux/ai's 0.8/0.8 (spec §10 #13). */
static const rb_vfield thresholds_fields[] = {F_SCORE("sexual", "0.7"), F_SCORE("violence", "0.8"),
                                              F_END};
static const rb_vschema thresholds_schema = {.fields = thresholds_fields};

static const rb_vfield on_flagged_fields[] = {
    {.name = "action", .type = RB_VT_STRING, .flags = RB_VF_REQUIRED,
     .enum_values = flagged_action_values},
    F_END,
};
static const rb_vschema on_flagged_schema = {.fields = on_flagged_fields};

static const rb_vfield moderate_fields[] = {
    F_ASSET_ID,
    {.name = "thresholds", .type = RB_VT_OBJECT, .object = &thresholds_schema, .def = "{}"},
    {.name = "sampling_interval", .type = RB_VT_INTEGER, .flags = RB_VF_MIN, .min = 5,
     .def = "10"},
    {.name = "max_samples", .type = RB_VT_INTEGER, .flags = RB_VF_MIN, .min = 1},
    F_LANG("language_code", 0),
    F_OBJ("output_steering", 0, scope_only_steering),
    F_OBJ("on_flagged", 0, on_flagged_schema),
    F_END,
};
static const rb_vschema moderate_schema = {.fields = moderate_fields};

/* ---- 5.3 generate-chapters ---------------------------------------------- */

static const rb_vfield chapters_steering_fields[] = {
    F_ENUM("chapter_style", chapter_style_values),
    F_ENUM("chapter_granularity", chapter_granularity_values),
    F_AUDIENCE,
    F_BRAND_TERMS,
    F_END,
};
static const rb_vschema chapters_steering = {.fields = chapters_steering_fields};

static const rb_vfield chapters_prompt_fields[] = {
    F_STR1("task", 0), F_STR1("output_format", 0), F_STR1("chapter_guidelines", 0),
    F_STR1("title_guidelines", 0), F_END,
};
static const rb_vschema chapters_prompt = {.fields = chapters_prompt_fields};

static const rb_vfield chapters_fields[] = {
    F_ASSET_ID,
    F_LANG("language_code", 0),
    F_LANG("output_language_code", 0),
    F_OBJ("output_steering", 0, chapters_steering),
    F_OBJ("prompt_overrides", 0, chapters_prompt),
    F_BOOLD("update_asset_chapters", "false"),
    F_END,
};
static const rb_vschema chapters_schema = {.fields = chapters_fields};

/* ---- 5.4 ask-questions --------------------------------------------------- */

static int question_check(const json_t *obj, const char *path, rb_err *err)
{
    /* A question is either multiple choice or free form, never both. */
    if (json_object_get(obj, "answer_options") && json_is_true(json_object_get(obj, "free_form_reply")))
        return rb_verr(err, path,
                       "cannot have both answer_options and free_form_reply: true");
    return RB_OK;
}

static const rb_vfield answer_option_item = {.type = RB_VT_STRING, .min_len = 1, .max_len = 150};
static const rb_vfield question_fields[] = {
    {.name = "question", .type = RB_VT_STRING, .flags = RB_VF_REQUIRED, .min_len = 1,
     .max_len = 600},
    {.name = "answer_options", .type = RB_VT_ARRAY, .min_items = 1, .item = &answer_option_item},
    F_BOOLD("free_form_reply", "false"),
    F_END,
};
static const rb_vschema question_schema = {.fields = question_fields, .check = question_check};
static const rb_vfield question_item = {.type = RB_VT_OBJECT, .object = &question_schema};

static const rb_vfield ask_fields[] = {
    F_ASSET_ID,
    {.name = "questions", .type = RB_VT_ARRAY, .flags = RB_VF_REQUIRED, .min_items = 1,
     .max_items = 50, .item = &question_item},
    F_LANG("language_code", 0),
    {.name = "max_free_form_answer_length", .type = RB_VT_INTEGER,
     .flags = RB_VF_MIN | RB_VF_MAX, .min = 1, .max = 1000, .def = "500"},
    F_OBJ("output_steering", 0, scope_only_steering),
    F_END,
};
static const rb_vschema ask_schema = {.fields = ask_fields};

/* ---- 5.5 find-key-moments ------------------------------------------------ */

static int duration_range_check(const json_t *obj, const char *path, rb_err *err)
{
    /* Both bounds are required by the table, so they are present here. */
    if (json_integer_value(json_object_get(obj, "min")) >
        json_integer_value(json_object_get(obj, "max")))
        return rb_verr_field(err, path, "min", "must not be greater than max");
    return RB_OK;
}

#define F_POS_INT_REQ(n) \
    {.name = (n), .type = RB_VT_INTEGER, .flags = RB_VF_REQUIRED | RB_VF_MIN | RB_VF_MIN_EXCL, \
     .min = 0}
static const rb_vfield duration_range_fields[] = {F_POS_INT_REQ("min"), F_POS_INT_REQ("max"),
                                                  F_END};
static const rb_vschema duration_range_schema = {.fields = duration_range_fields,
                                                 .check = duration_range_check};

static const rb_vfield km_rubric_item = {.type = RB_VT_STRING, .enum_values = km_rubric_values};
static const rb_vfield km_steering_fields[] = {
    F_SCOPE,
    F_ENUM("selection_strategy", km_selection_values),
    F_ENUM("title_style", km_title_style_values),
    F_AUDIENCE,
    F_BRAND_TERMS,
    {.name = "rubric_priorities", .type = RB_VT_ARRAY, .item = &km_rubric_item},
    F_OBJ("topic_taxonomy", 0, taxonomy_schema),
    F_END,
};
static const rb_vschema km_steering = {.fields = km_steering_fields};

static const rb_vfield km_fields[] = {
    F_ASSET_ID,
    {.name = "max_moments", .type = RB_VT_INTEGER, .flags = RB_VF_MIN | RB_VF_MAX, .min = 1,
     .max = 25},
    F_OBJ("target_duration_ms", 0, duration_range_schema),
    F_BOOLD("use_shots", "false"),
    F_OBJ("output_steering", 0, km_steering),
    F_END,
};
/* Shot detection is not part of this server yet (the embedded library has no
 * video analysis), so a job that asks to select on shots is refused at
 * create time rather than run on something it did not ask for (issue 4). */
static int km_check(const json_t *obj, const char *path, rb_err *err)
{
    if (json_is_true(json_object_get(obj, "use_shots")))
        return rb_verr_field(err, path, "use_shots",
                             "must be false: true is not supported, this server has no shot "
                             "detection yet; omit it to select moments from the transcript");
    return RB_OK;
}
static const rb_vschema km_schema = {.fields = km_fields, .check = km_check};

/* ---- 5.6 translate-captions ---------------------------------------------- */

/* Characters a term cannot carry through a translation verbatim because they
 * are invisible: control, format, line/paragraph separators and every space
 * except U+0020 (a no-break space would be "preserved" unseen). */
static int invisible_codepoint(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return 1;
    case UTF8PROC_CATEGORY_ZS:
        return cp != 0x20;
    default:
        return 0;
    }
}

static int never_translate_check(const json_t *v, const char *path, rb_err *err)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)json_string_value(v);
    utf8proc_ssize_t len = (utf8proc_ssize_t)json_string_length(v);
    /* Angle brackets would be taken for the markup the VTT cues may carry. */
    if (memchr(s, '<', (size_t)len) || memchr(s, '>', (size_t)len))
        return rb_verr(err, path, "must not contain < or >");
    for (utf8proc_ssize_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(s + i, len - i, &cp);
        if (n <= 0)
            return rb_verr(err, path, "must be valid UTF-8");
        if (invisible_codepoint(cp))
            return rb_verr(err, path, "must not contain invisible or control characters (U+%04X)",
                           (unsigned)cp);
        i += n;
    }
    /* The preservation check compares NFC text, so a term NFC would change
     * could never be found verbatim in the output. */
    utf8proc_uint8_t *nfc = utf8proc_NFC(s);
    if (!nfc)
        return rb_verr(err, path, "must be valid Unicode text");
    int same = strcmp((const char *)nfc, (const char *)s) == 0;
    free(nfc);
    if (!same)
        return rb_verr(err, path, "must be in Unicode normalization form C (NFC changes it)");
    return RB_OK;
}

static const rb_vfield never_translate_item = {.type = RB_VT_STRING, .min_len = 1,
                                               .check = never_translate_check};
static const rb_vfield translate_captions_fields[] = {
    F_ASSET_ID,
    F_STR1("track_id", RB_VF_REQUIRED),
    F_LANG("to_language_code", RB_VF_REQUIRED),
    F_BOOLD("upload_to_mux", "true"),
    {.name = "never_translate", .type = RB_VT_ARRAY, .item = &never_translate_item},
    F_END,
};
static const rb_vschema translate_captions_schema = {.fields = translate_captions_fields};

/* ---- 5.7 edit-captions --------------------------------------------------- */

static int edit_captions_check(const json_t *obj, const char *path, rb_err *err)
{
    /* An empty list asks for no edit, so it does not count as one. */
    if (json_array_size(json_object_get(obj, "replacements")) > 0 ||
        json_array_size(json_object_get(obj, "speaker_replacements")) > 0 ||
        json_object_get(obj, "auto_censor_profanity"))
        return RB_OK;
    return rb_verr(err, path,
                   "must include at least one of replacements, speaker_replacements or "
                   "auto_censor_profanity");
}

static int speaker_label_check(const json_t *v, const char *path, rb_err *err)
{
    /* The workflow adds the brackets itself: "[speaker_0]" → write "speaker_0". */
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (memchr(s, '[', len) || memchr(s, ']', len))
        return rb_verr(err, path, "must not contain brackets (write speaker_0, not [speaker_0])");
    return RB_OK;
}

static const rb_vfield replacement_fields[] = {
    F_STR1("find", RB_VF_REQUIRED),
    {.name = "replace", .type = RB_VT_STRING, .flags = RB_VF_REQUIRED}, /* "" deletes */
    F_BOOLD("case_sensitive", "false"),
    F_END,
};
static const rb_vschema replacement_schema = {.fields = replacement_fields};
static const rb_vfield replacement_item = {.type = RB_VT_OBJECT, .object = &replacement_schema};

#define F_SPEAKER(n) \
    {.name = (n), .type = RB_VT_STRING, .flags = RB_VF_REQUIRED, .min_len = 1, \
     .check = speaker_label_check}
static const rb_vfield speaker_replacement_fields[] = {F_SPEAKER("find"), F_SPEAKER("replace"),
                                                       F_END};
static const rb_vschema speaker_replacement_schema = {.fields = speaker_replacement_fields};
static const rb_vfield speaker_replacement_item = {.type = RB_VT_OBJECT,
                                                   .object = &speaker_replacement_schema};

static const rb_vfield censor_fields[] = {
    {.name = "detection_method", .type = RB_VT_STRING, .enum_values = censor_method_values,
     .def = "\"llm\""},
    {.name = "mode", .type = RB_VT_STRING, .enum_values = censor_mode_values, .def = "\"blank\""},
    {.name = "always_censor", .type = RB_VT_ARRAY, .item = &nonempty_string_item},
    {.name = "never_censor", .type = RB_VT_ARRAY, .item = &nonempty_string_item},
    F_END,
};
static const rb_vschema censor_schema = {.fields = censor_fields};

static const rb_vfield edit_captions_fields[] = {
    F_ASSET_ID,
    F_STR1("track_id", RB_VF_REQUIRED),
    {.name = "replacements", .type = RB_VT_ARRAY, .item = &replacement_item},
    {.name = "speaker_replacements", .type = RB_VT_ARRAY, .item = &speaker_replacement_item},
    F_OBJ("auto_censor_profanity", 0, censor_schema),
    F_BOOLD("upload_to_mux", "true"),
    F_BOOLD("delete_original_track", "true"),
    {.name = "track_name_suffix", .type = RB_VT_STRING, .min_len = 1, .def = "\"edited\""},
    F_END,
};
static const rb_vschema edit_captions_schema = {.fields = edit_captions_fields,
                                                .check = edit_captions_check};

/* ---- 5.8 generate-engagement-insights ----------------------------------- */

static const rb_vfield insights_fields[] = {F_ASSET_ID, F_END};
static const rb_vschema insights_schema = {.fields = insights_fields};

/* ---- 5.9 find-scenes ----------------------------------------------------- */

static const rb_vfield scenes_steering_fields[] = {
    F_SCOPE,
    F_ENUM("segmentation_strategy", scene_segmentation_values),
    F_ENUM("title_style", scene_title_style_values),
    F_ENUM("narration_detail", scene_narration_values),
    F_AUDIENCE,
    F_BRAND_TERMS,
    F_OBJ("topic_taxonomy", 0, taxonomy_schema),
    F_END,
};
static const rb_vschema scenes_steering = {.fields = scenes_steering_fields};

static const rb_vfield scenes_fields[] = {
    F_ASSET_ID,
    F_LANG("language_code", 0),
    {.name = "min_scenes", .type = RB_VT_INTEGER, .flags = RB_VF_MIN, .min = 1},
    {.name = "min_scene_duration_ms", .type = RB_VT_INTEGER, .flags = RB_VF_MIN, .min = 1000,
     .def = "15000"},
    F_OBJ("output_steering", 0, scenes_steering),
    F_END,
};
static const rb_vschema scenes_schema = {.fields = scenes_fields};

/* ---- 5.10 find-best-thumbnails ------------------------------------------- */

static const rb_vfield thumb_priority_item = {.type = RB_VT_STRING,
                                              .enum_values = thumb_priority_values};
static const rb_vfield thumbs_steering_fields[] = {
    F_SCOPE,
    F_ENUM("selection_strategy", thumb_selection_values),
    F_STR("looking_for"),
    F_AUDIENCE,
    F_STR("campaign_style"),
    {.name = "scoring_priorities", .type = RB_VT_ARRAY, .item = &thumb_priority_item},
    F_END,
};
static const rb_vschema thumbs_steering = {.fields = thumbs_steering_fields};

static const rb_vfield thumbs_fields[] = {
    F_ASSET_ID,
    {.name = "max_thumbnails", .type = RB_VT_INTEGER, .flags = RB_VF_MIN | RB_VF_MAX, .min = 1,
     .max = 5, .def = "1"}, /* SDK default, not the v0 page's 5 (spec §10 #6) */
    F_BOOLD("update_asset_thumbnail", "false"),
    F_OBJ("output_steering", 0, thumbs_steering),
    F_END,
};
static const rb_vschema thumbs_schema = {.fields = thumbs_fields};

/* ---- 5.11 generate-premium-captions -------------------------------------- */

#define PHRASE_MAX_WORDS 5

static int phrase_check(const json_t *v, const char *path, rb_err *err)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    /* The recognizer treats these as markup / escapes in its hint syntax. */
    for (size_t i = 0; i < len; i++)
        if (strchr("<>{}[]\\", s[i]) && s[i] != '\0')
            return rb_verr(err, path, "must not contain any of < > { } [ ] \\");
    /* Words are runs of non-space characters (any Unicode space separates). */
    size_t words = 0;
    int in_word = 0;
    for (utf8proc_ssize_t i = 0; i < (utf8proc_ssize_t)len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)len - i, &cp);
        if (n <= 0)
            return rb_verr(err, path, "must be valid UTF-8");
        utf8proc_category_t cat = utf8proc_category(cp);
        int space = cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
                    cat == UTF8PROC_CATEGORY_ZP || cp == '\t' || cp == '\n' || cp == '\r' ||
                    cp == '\v' || cp == '\f';
        if (!space && !in_word)
            words++;
        in_word = !space;
        i += n;
    }
    if (words > PHRASE_MAX_WORDS)
        return rb_verr(err, path, "must be at most %d words", PHRASE_MAX_WORDS);
    return RB_OK;
}

static int premium_check(const json_t *obj, const char *path, rb_err *err)
{
    /* Replacing deletes the existing track; without an upload nothing would
     * take its place, so the combination is refused (upload_to_mux defaults
     * to true). */
    const json_t *upload = json_object_get(obj, "upload_to_mux");
    if (json_is_false(upload) && json_is_true(json_object_get(obj, "replace_existing")))
        return rb_verr_field(err, path, "replace_existing",
                             "must be false when upload_to_mux is false");
    return RB_OK;
}

static const rb_vfield phrase_item = {.type = RB_VT_STRING, .min_len = 1, .max_len = 49,
                                      .check = phrase_check};
static const rb_vfield premium_fields[] = {
    F_ASSET_ID,
    F_LANG("language_code", 0),
    F_BOOLD("replace_existing", "false"),
    F_STR1("track_name", 0),
    F_BOOLD("include_speakers", "false"),
    F_BOOLD("include_words", "false"),
    F_BOOLD("upload_to_mux", "true"),
    {.name = "phrases", .type = RB_VT_ARRAY, .item = &phrase_item},
    F_END,
};
static const rb_vschema premium_schema = {.fields = premium_fields, .check = premium_check};

/* ---- 5.12 translate-audio ------------------------------------------------- */

static const rb_vfield translate_audio_fields[] = {
    F_ASSET_ID,
    F_LANG("to_language_code", RB_VF_REQUIRED),
    F_BOOLD("upload_to_mux", "true"),
    F_END,
};
static const rb_vschema translate_audio_schema = {.fields = translate_audio_fields};

/* ---- §1.3 envelope and the registry --------------------------------------- */

/* passthrough: no documented limit; Mux Video's asset passthrough is 255
 * characters (spec §1.3, inferred). */
#define PASSTHROUGH_MAX 255

/* One envelope table per workflow, so the whole request is a single static
 * tree the engine walks from the top. */
#define ENVELOPE(var, params)                                                              \
    static const rb_vfield var##_fields[] = {                                              \
        {.name = "parameters", .type = RB_VT_OBJECT, .flags = RB_VF_REQUIRED,              \
         .object = &(params)},                                                             \
        {.name = "passthrough", .type = RB_VT_STRING, .max_len = PASSTHROUGH_MAX},         \
        F_END,                                                                             \
    };                                                                                     \
    static const rb_vschema var = {.fields = var##_fields}

ENVELOPE(summarize_env, summarize_schema);
ENVELOPE(moderate_env, moderate_schema);
ENVELOPE(chapters_env, chapters_schema);
ENVELOPE(scenes_env, scenes_schema);
ENVELOPE(edit_captions_env, edit_captions_schema);
ENVELOPE(translate_captions_env, translate_captions_schema);
ENVELOPE(translate_audio_env, translate_audio_schema);
ENVELOPE(ask_env, ask_schema);
ENVELOPE(km_env, km_schema);
ENVELOPE(insights_env, insights_schema);
ENVELOPE(premium_env, premium_schema);
ENVELOPE(thumbs_env, thumbs_schema);

typedef struct wf_entry {
    const char *name;
    const rb_vschema *params;
    const rb_vschema *envelope;
} wf_entry;

/* SDK enum order (spec §1.11). */
static const wf_entry workflows[] = {
    {"summarize", &summarize_schema, &summarize_env},
    {"moderate", &moderate_schema, &moderate_env},
    {"generate-chapters", &chapters_schema, &chapters_env},
    {"find-scenes", &scenes_schema, &scenes_env},
    {"edit-captions", &edit_captions_schema, &edit_captions_env},
    {"translate-captions", &translate_captions_schema, &translate_captions_env},
    {"translate-audio", &translate_audio_schema, &translate_audio_env},
    {"ask-questions", &ask_schema, &ask_env},
    {"find-key-moments", &km_schema, &km_env},
    {"generate-engagement-insights", &insights_schema, &insights_env},
    {"generate-premium-captions", &premium_schema, &premium_env},
    {"find-best-thumbnails", &thumbs_schema, &thumbs_env},
};
#define NWORKFLOWS (sizeof workflows / sizeof workflows[0])

static const char *const workflow_names[NWORKFLOWS + 1] = {
    "summarize", "moderate", "generate-chapters", "find-scenes", "edit-captions",
    "translate-captions", "translate-audio", "ask-questions", "find-key-moments",
    "generate-engagement-insights", "generate-premium-captions", "find-best-thumbnails", NULL,
};

static const wf_entry *find_workflow(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < NWORKFLOWS; i++)
        if (strcmp(workflows[i].name, name) == 0)
            return &workflows[i];
    return NULL;
}

const char *const *rb_workflow_names(void)
{
    return workflow_names;
}

int rb_workflow_known(const char *workflow)
{
    return find_workflow(workflow) != NULL;
}

json_t *rb_params_with_defaults(const char *workflow, const json_t *parameters)
{
    const wf_entry *e = find_workflow(workflow);
    if (!e || !json_is_object(parameters))
        return NULL;
    json_t *copy = json_deep_copy(parameters);
    if (!copy || rb_vschema_apply_defaults(e->params, copy)) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}

const rb_vschema *rb_params_schema(const char *workflow)
{
    const wf_entry *e = find_workflow(workflow);
    return e ? e->params : NULL;
}

/* Echo a workflow name from the URL only when it is short printable ASCII, so
 * the message stays valid UTF-8 and readable. */
static int printable_name(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7E || n >= 64)
            return 0;
    return n > 0;
}

int rb_validate_job_request(const char *workflow, const json_t *body, rb_err *err)
{
    const wf_entry *e = find_workflow(workflow);
    if (!e) {
        if (workflow && printable_name(workflow))
            rb_err_set(err, 404, "not_found", "unknown workflow %s", workflow);
        else
            rb_err_set(err, 404, "not_found", "unknown workflow");
        return RB_NOTFOUND;
    }
    if (!body)
        return rb_verr(err, "", "must be a JSON object");
    const rb_vfield top = {.type = RB_VT_OBJECT, .object = e->envelope};
    return rb_validate_value(&top, body, "", e->name, err);
}
