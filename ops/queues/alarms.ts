/**
 * When to page about an SQS backlog. The runbook: backlogs "start to expire in 14 days, and then data
 * is lost", and the TC logger has "less than 1/2 hour before data starts getting lost". An alarm is
 * only useful if it fires with time left to act, so the plan is checked: the threshold plus the time
 * CloudWatch needs to see it (evaluation periods, plus one period of metric delay) must stay within
 * half of the time to data loss.
 */
export interface BacklogAlarmPlan {
    /** ApproximateAgeOfOldestMessage threshold, seconds. */
    readonly thresholdSeconds: number;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
    /** Oldest message age at which the alarm has certainly fired. */
    readonly worstCaseDetectionSeconds: number;
    readonly dataLossAfterSeconds: number;
}

export function backlogAlarmPlan(dataLossAfterSeconds: number, alarmAtFraction: number): BacklogAlarmPlan {
    if (!(dataLossAfterSeconds > 0)) throw new Error(`time to data loss must be positive, got ${dataLossAfterSeconds}`);
    if (!(alarmAtFraction > 0 && alarmAtFraction <= 0.5)) throw new Error(`alarm fraction must be in (0, 0.5], got ${alarmAtFraction}`);
    // SQS publishes its metrics to CloudWatch every minute; long horizons can afford 5-minute periods
    // and more datapoints (fewer false alarms), short ones cannot.
    const short = dataLossAfterSeconds < 6 * 3600;
    const periodSeconds = short ? 60 : 300;
    const evaluationPeriods = short ? 1 : 3;
    const thresholdSeconds = Math.max(60, Math.floor((dataLossAfterSeconds * alarmAtFraction) / 60) * 60);
    const worstCaseDetectionSeconds = thresholdSeconds + (evaluationPeriods + 1) * periodSeconds;
    if (worstCaseDetectionSeconds > dataLossAfterSeconds / 2) {
        throw new Error(
            `an alarm at ${thresholdSeconds}s would be seen only after ${worstCaseDetectionSeconds}s, ` +
                `more than half of the ${dataLossAfterSeconds}s before data loss: lower alarmAtFraction`,
        );
    }
    return { thresholdSeconds, periodSeconds, evaluationPeriods, worstCaseDetectionSeconds, dataLossAfterSeconds };
}
