/* log.h — one line per event on stderr: time, level, message. Secrets never
 * reach these calls (callers pass ids, not credentials). */
#ifndef RB_LOG_H
#define RB_LOG_H

enum rb_log_level { RB_LOG_DEBUG, RB_LOG_INFO, RB_LOG_WARN, RB_LOG_ERROR };

void rb_log_set_level(enum rb_log_level lvl);
void rb_log(enum rb_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define rb_info(...) rb_log(RB_LOG_INFO, __VA_ARGS__)
#define rb_warn(...) rb_log(RB_LOG_WARN, __VA_ARGS__)
#define rb_error(...) rb_log(RB_LOG_ERROR, __VA_ARGS__)
#define rb_debug(...) rb_log(RB_LOG_DEBUG, __VA_ARGS__)

#endif
