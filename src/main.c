/* main.c — placeholder until the CLI lands (owned by the engine/CLI work). */
#include <stdio.h>
int main(void) { puts("robots"); return 0; }
