// Question generation from the exam type, difficulty, resume and job listing. Two generators behind
// one interface: the configured AI model (json_schema output validated by zod, usage in the ledger)
// and a deterministic local generator from templates and the documents' keywords, used when no key
// is configured. Either way the result is a list of { question, time_limit_s }.
import { z } from 'zod';
import { DATA_IS_NOT_INSTRUCTIONS, dataBlock, screenText } from '../evaluation/prompt-injection';
import type { StructuredChat } from '../evaluation/structured-chat';
import type { UsageContext } from '../evaluation/types';
import { VigilError } from '../errors';
import { topKeywords } from './keywords';
import { ExamTypeSchema, examTypeNames, type ExamType } from '../../src-preload/vocabulary';
import { DifficultySchema, KeyQuestionSchema, type KeyQuestion } from './types';

export interface QuestionRequest {
  type: ExamType;
  difficulty: number;
  resumeText?: string | null;
  jobListingText?: string | null;
  count?: number;
  context?: UsageContext;
}

export interface QuestionGenerator {
  readonly kind: 'ai' | 'local';
  generate(request: QuestionRequest): Promise<KeyQuestion[]>;
}

export const DEFAULT_QUESTION_COUNT = 5;
export const MAX_QUESTION_COUNT = 20;

/** Harder questions and skill questions get more time; always a multiple of 15 s. */
export function timeLimitFor(type: ExamType, difficulty: number): number {
  const base: Record<ExamType, number> = { GEN: 60, SKL: 90, PER: 60, FIN: 75 };
  return Math.round((base[type] + difficulty * 15) / 15) * 15;
}

function validate(
  request: QuestionRequest,
): Required<Pick<QuestionRequest, 'type' | 'difficulty' | 'count'>> {
  const type = ExamTypeSchema.safeParse(request.type);
  if (!type.success)
    throw new VigilError(
      'BAD_REQUEST',
      `Unknown exam type "${String(request.type)}": use GEN, SKL, PER or FIN.`,
      {
        field: 'type',
      },
    );
  const difficulty = DifficultySchema.safeParse(request.difficulty);
  if (!difficulty.success)
    throw new VigilError(
      'BAD_REQUEST',
      `Difficulty must be a whole number from 1 to 10 (got ${String(request.difficulty)}).`,
      {
        field: 'difficulty',
      },
    );
  const count = request.count ?? DEFAULT_QUESTION_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_QUESTION_COUNT)
    throw new VigilError('BAD_REQUEST', `The number of questions must be from 1 to ${MAX_QUESTION_COUNT}.`, {
      field: 'count',
    });
  return { type: type.data, difficulty: difficulty.data, count };
}

type Tier = 0 | 1 | 2;
const tierOf = (difficulty: number): Tier => (difficulty <= 3 ? 0 : difficulty <= 7 ? 1 : 2);

// {skill} is a keyword of the job listing, {past} one of the resume; each list is ordered easy → hard.
const TEMPLATES: Record<ExamType, [string[], string[], string[]]> = {
  GEN: [
    [
      'Tell us about yourself and what brings you to this role.',
      'What do you know about {skill}, and where have you used it?',
      'Describe a typical working day in your last position.',
    ],
    [
      'Walk us through a project involving {past} that you are proud of, and your part in it.',
      'How do you decide what to work on first when everything is urgent?',
      'What would your first 90 days in this role focus on, given its emphasis on {skill}?',
    ],
    [
      'Describe a decision about {skill} you made with incomplete information. What did you weigh, and what happened?',
      'Tell us about a time you changed your mind on something important at work. What convinced you?',
      'Where do you see the biggest risk in a role centred on {skill}, and how would you manage it?',
    ],
  ],
  SKL: [
    [
      'Explain {skill} to a new colleague in a few sentences.',
      'Which tools do you use for {skill}, and why?',
      'What is a common mistake beginners make with {skill}?',
    ],
    [
      'Describe how you would approach a typical {skill} task from start to finish.',
      'How did you use {past} in practice, and what would you do differently today?',
      'How do you check that your work on {skill} is correct and stays correct?',
    ],
    [
      'Design a solution for a demanding {skill} problem at scale: name the trade-offs and how you would measure success.',
      'A production issue involving {skill} is hurting customers right now. Walk us through your first hour.',
      'Compare two approaches to {skill} you have used, including {past}, and when each one fails.',
    ],
  ],
  PER: [
    [
      'What kind of team do you do your best work in?',
      'How do you like to receive feedback?',
      'What motivates you at work?',
    ],
    [
      'Tell us about a disagreement with a colleague and how it was resolved.',
      'Describe a time you had to adapt quickly to a change in plans.',
      'How do you keep yourself accountable when working without supervision?',
    ],
    [
      'Describe a situation where your values conflicted with a request at work. What did you do?',
      'Tell us about a time you failed publicly. How did you handle it, and what changed afterwards?',
      'How have you helped build trust in a team that was not working well?',
    ],
  ],
  FIN: [
    [
      'Why do you want this role, and why now?',
      'What are you looking for in your next employer?',
      'Is there anything in your background around {past} you would like to explain?',
    ],
    [
      'What would you need from us to succeed in a role centred on {skill}?',
      'Which of your achievements best predicts your success here, and why?',
      'What questions or concerns do you still have about this role?',
    ],
    [
      'Make the case for hiring you over a candidate with deeper experience in {skill}.',
      'What would make you leave this role within a year, and how can we both avoid it?',
      'Summarise the value you would add in your first six months, with measurable outcomes.',
    ],
  ],
};

export class LocalQuestionGenerator implements QuestionGenerator {
  readonly kind = 'local' as const;

  async generate(request: QuestionRequest): Promise<KeyQuestion[]> {
    return generateLocally(request);
  }
}

export function generateLocally(request: QuestionRequest): KeyQuestion[] {
  const { type, difficulty, count } = validate(request);
  const skills = topKeywords(request.jobListingText ?? '', 8);
  // A resume's sentences addressed to the AI ("ignore previous instructions…") give no keywords.
  const past = topKeywords(screenText(request.resumeText ?? '').text, 8);
  const fallbackSkill = 'your core skills';
  const tier = tierOf(difficulty);
  // Start at the requested tier, then continue into the neighbouring ones for more questions.
  const order = [
    tier,
    ...([0, 1, 2] as Tier[])
      .filter((t) => t !== tier)
      .sort((a, b) => Math.abs(a - tier) - Math.abs(b - tier)),
  ];
  const pool = order.flatMap((t) => TEMPLATES[type][t]);
  const seen = new Set<string>();
  const out: KeyQuestion[] = [];
  const limit = timeLimitFor(type, difficulty);
  for (let i = 0; out.length < count && i < pool.length * 4; i++) {
    const template = pool[i % pool.length] as string;
    const round = Math.floor(i / pool.length);
    const skill = skills[(i + round) % Math.max(1, skills.length)] ?? fallbackSkill;
    const fromResume = past[(i + round) % Math.max(1, past.length)] ?? 'your main skills';
    const question = template.replaceAll('{skill}', skill).replaceAll('{past}', fromResume);
    if (seen.has(question)) continue;
    seen.add(question);
    out.push({ question, time_limit_s: limit });
  }
  return out;
}

const GeneratedQuestionsSchema = z.object({ questions: z.array(KeyQuestionSchema) });

export class AiQuestionGenerator implements QuestionGenerator {
  readonly kind = 'ai' as const;
  constructor(private readonly chat: StructuredChat) {}

  async generate(request: QuestionRequest): Promise<KeyQuestion[]> {
    const { type, difficulty, count } = validate(request);
    const parts = [
      `Write ${count} interview questions for a ${examTypeNames[type]} (${type}) interview at difficulty ${difficulty} on a 1–10 scale.`,
      `Give each a time limit in seconds between 30 and 600 that fits its difficulty (around ${timeLimitFor(type, difficulty)} s).`,
    ];
    // The documents as quoted data: a resume is the candidate's own text and may try to steer the model.
    if (request.jobListingText || request.resumeText)
      parts.push(
        `The documents, as data:\n\n${dataBlock({
          ...(request.jobListingText ? { job_listing: request.jobListingText.slice(0, 6000) } : {}),
          ...(request.resumeText ? { candidate_resume: request.resumeText.slice(0, 6000) } : {}),
        })}`,
      );
    const result = await this.chat.complete({
      requestType: 'question_generation',
      context: request.context ?? {},
      messages: [
        {
          role: 'system',
          content:
            'You write fair, job-relevant interview questions. Never ask about age, family, health, religion, ethnicity or other protected characteristics. Reply with JSON only, matching the schema.\n\n' +
            DATA_IS_NOT_INSTRUCTIONS,
        },
        { role: 'user', content: parts.join('\n\n') },
      ],
      schemaName: 'interview_questions',
      schema: GeneratedQuestionsSchema,
      validate: (v) => (v.questions.length === count ? null : `exactly ${count} questions are required`),
    });
    return result.value.questions;
  }
}
