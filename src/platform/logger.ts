import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The process logger: JSON lines on stdout, secrets redacted.
 * @param destination where the lines go instead of stdout's own stream (the cluster primary passes the
 *   stream it also writes its workers' lines to, so that one writer alone writes stdout)
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'townsquare' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
