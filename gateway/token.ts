/**
 * `npm run token -- --role UNIT_STAFF --unit MARKET_REGULATION_BUREAU` prints a development token.
 * Units are named by code (seeded units have the same id everywhere) or by id; an enterprise by
 * its credit code. Only for the development secret: production tokens come from the city's IdP.
 */
import { parseArgs } from 'node:util';
import { roles, signToken, type Role } from '../platform/auth.ts';
import { loadEnv } from '../platform/env.ts';
import { isUuid } from '../platform/input.ts';
import { COMMAND_OFFICE_CODE, referenceUnits, unitIdForCode } from '../db/reference/organisation.ts';
import { creditCodeProblem, creditCodeProblemMessages, normalizeCreditCode } from '../platform/credit-code.ts';


function fail(message: string): never {
  console.error(message);
  console.error(
    'Usage: npm run token -- --role <' + roles.join('|') + '> [--unit <code|id>] [--enterprise <credit code>] [--sub <subject>] [--expires 8h]',
  );
  console.error(`Unit codes: ${referenceUnits.slice(0, 6).map((u) => u.code).join(', ')}, … (query units { edges { node { code } } })`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    unit: { type: 'string' },
    enterprise: { type: 'string' },
    sub: { type: 'string' },
    expires: { type: 'string', default: '8h' },
  },
});

// A developer's tool: without DEVELOPMENT_MODE=false it signs with the development secret, unless JWT_SECRET is set.
const env = loadEnv(process.env, [], { developmentByDefault: true });
if (env.auth.jwksUrl || !env.auth.jwtSecret) fail('JWT_JWKS_URL is set: tokens come from the identity provider, not from here.');
const role = values.role as Role | undefined;
if (!role || !roles.includes(role)) fail(`--role must be one of ${roles.join(', ')}`);

let unitId: string | undefined;
const unitArg = values.unit ?? (role === 'COMMAND_OFFICE' ? COMMAND_OFFICE_CODE : undefined);
if (unitArg) unitId = isUuid(unitArg) ? unitArg : unitIdForCode(unitArg.toUpperCase());
if ((role === 'UNIT_ADMIN' || role === 'UNIT_STAFF') && !unitId) fail(`--role ${role} needs --unit`);
if (unitArg && !isUuid(unitArg) && !referenceUnits.some((u) => u.code === unitArg.toUpperCase())) {
  console.error(`note: ${unitArg} is not a seeded unit code; the token carries its derived id ${unitId}. Pass the unit's id for units created later.`);
}

let enterprise: string | undefined;
if (values.enterprise) {
  enterprise = normalizeCreditCode(values.enterprise);
  const problem = creditCodeProblem(enterprise);
  if (problem) fail(creditCodeProblemMessages[problem].en);
}
if (role === 'ENTERPRISE' && !enterprise) fail('--role ENTERPRISE needs --enterprise <credit code>');

const token = await signToken(
  {
    sub: values.sub ?? `dev-${role.toLowerCase()}-${unitArg ?? enterprise ?? 'user'}`,
    role,
    ...(unitId ? { unit: unitId } : {}),
    ...(enterprise ? { enterprise } : {}),
  },
  { secret: env.auth.jwtSecret, issuer: env.auth.issuer, audience: env.auth.audience },
  values.expires,
);
console.log(token);
