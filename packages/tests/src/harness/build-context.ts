import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A multi-stage Dockerfile from the test busybox: one stage makes a file with busybox tools, the last copies it. */
export const MULTI_STAGE = `# syntax=docker/dockerfile:1
ARG GREETING=hello
FROM busybox AS maker
ARG GREETING
RUN mkdir -p /out && echo "$GREETING from maker" > /out/greeting.txt && sha1sum /out/greeting.txt | cut -c1-40 > /out/sum
FROM busybox
ENV APP_HOME=/srv/app MODE=prod
WORKDIR $APP_HOME
COPY --from=maker /out/ ./gen/
COPY app.sh ./
RUN chmod 0755 app.sh && echo 'runner:x:1234:1234::/srv/app:/bin/sh' >> /etc/passwd
USER runner
EXPOSE 8080/tcp 53/udp
HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD test -f /srv/app/gen/greeting.txt
CMD ["./app.sh"]
`;

export async function makeContext(dir: string): Promise<void> {
  await writeFile(join(dir, 'Dockerfile'), MULTI_STAGE);
  await writeFile(join(dir, 'app.sh'), '#!/bin/sh\ncat /srv/app/gen/greeting.txt\nid -u\n');
}
