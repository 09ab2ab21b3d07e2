/**
 * The queues section: "Check ETL Pipeline Health" ("look at the SQS queues to see the backlog") and the time each
 * backlog has before data is lost (14 days of retention; "less than 1/2 hour" for the TC logger). Per queue: the
 * depth, the age of its oldest message against its time to data loss, and the messages in its dead-letter queue.
 *
 * Age is SQS's own ApproximateAgeOfOldestMessage metric in CloudWatch, the one the queue's alarm watches
 * (ops/queues/alarms.ts). Reading messages to learn their SentTimestamp would count as a receive and, after
 * maxReceiveCount, move them to the dead-letter queue: a status command must not do that.
 */
import type { Answer } from "./answer";
import { duration } from "./answer";
import { fault, type Finding, ok, unknown, warn } from "./findings";

export interface QueueFacts {
    /** The config's name, e.g. etl-backlog. */
    readonly name: string;
    /** Seconds before the oldest message is lost (queueDataLossSeconds of the config). */
    readonly dataLossAfterSeconds: number;
    /** The fraction of that at which the queue's alarm fires (alarmAtFraction). */
    readonly alarmAtFraction: number;
    /** GetQueueAttributes: visible and in-flight messages. */
    readonly depth: Answer<{ readonly visible: number; readonly inFlight: number }>;
    /**
     * The newest ApproximateAgeOfOldestMessage datapoint (Maximum) of the last minutes, seconds; null when
     * CloudWatch has no datapoint in that window.
     */
    readonly oldestAgeSeconds: Answer<number | null>;
    /** The dead-letter queue named by the queue's RedrivePolicy, with its depth; null when it has none. */
    readonly deadLetters: Answer<{ readonly queue: string; readonly messages: number } | null>;
}

const Q = "queues" as const;

export function checkQueue(f: QueueFacts): Finding[] {
    const out: Finding[] = [];
    const loss = duration(f.dataLossAfterSeconds);
    if (f.depth.ok) out.push(ok(Q, "depth", f.name, `${f.depth.value.visible} waiting, ${f.depth.value.inFlight} in flight`));
    else
        out.push(
            unknown(
                Q,
                "depth",
                f.name,
                `GetQueueAttributes failed: ${f.depth.why}`,
                "check the credentials' sqs:GetQueueAttributes and the queue URL in the outputs (queueUrls)",
            ),
        );
    const empty = f.depth.ok && f.depth.value.visible + f.depth.value.inFlight === 0;
    if (!f.oldestAgeSeconds.ok) {
        out.push(
            unknown(
                Q,
                "age",
                f.name,
                `CloudWatch ApproximateAgeOfOldestMessage could not be read: ${f.oldestAgeSeconds.why}`,
                "check the credentials' cloudwatch:GetMetricStatistics",
            ),
        );
    } else if (f.oldestAgeSeconds.value === null) {
        if (empty) out.push(ok(Q, "age", f.name, `empty (data lost after ${loss})`));
        else
            out.push(
                unknown(
                    Q,
                    "age",
                    f.name,
                    "messages are waiting but CloudWatch has no recent ApproximateAgeOfOldestMessage datapoint",
                    "SQS publishes it every minute for an active queue: check again in a few minutes, or look at the queue's alarm",
                ),
            );
    } else {
        const age = f.oldestAgeSeconds.value;
        const seen = `oldest message ${duration(age)} old; data is lost after ${loss}`;
        const why =
            "a backlog grows when the search cluster has been recovering, push-to-es on the spot nodes is not running, the ETL is not given enough money, or the ETL sends many errors";
        if (age >= f.dataLossAfterSeconds / 2)
            out.push(
                fault(
                    Q,
                    "age",
                    f.name,
                    `${seen}: more than half of the time is gone`,
                    `${why}: find which and fix it now (raise the ETL budget, restart push-to-es)`,
                ),
            );
        else if (age >= f.dataLossAfterSeconds * f.alarmAtFraction)
            out.push(warn(Q, "age", f.name, `${seen}: past the alarm threshold (${duration(f.dataLossAfterSeconds * f.alarmAtFraction)})`, why));
        else out.push(ok(Q, "age", f.name, seen));
    }
    if (!f.deadLetters.ok)
        out.push(
            unknown(
                Q,
                "dead-letters",
                f.name,
                `the dead-letter queue could not be read: ${f.deadLetters.why}`,
                "check the credentials' sqs:GetQueueAttributes on the dead-letter queue",
            ),
        );
    else if (f.deadLetters.value === null) out.push(ok(Q, "dead-letters", f.name, "no dead-letter queue"));
    else if (f.deadLetters.value.messages === 0) out.push(ok(Q, "dead-letters", f.name, `${f.deadLetters.value.queue} is empty`));
    else {
        out.push(
            warn(
                Q,
                "dead-letters",
                f.name,
                `${f.deadLetters.value.messages} message(s) in ${f.deadLetters.value.queue}: they failed maxReceiveCount times`,
                "read a few to see the error the ETL sends with them, fix it, then redrive them (SQS StartMessageMoveTask) before their retention runs out",
            ),
        );
    }
    return out;
}
