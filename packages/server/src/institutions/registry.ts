import type { AuthMethodType, InstitutionType, InstitutionV1, InstitutionV3, Ui } from '@relink/contract';

/** An institution as Relink knows it: what partners see, plus which connector talks to it. */
export interface Institution {
  id: string;
  name: string;
  type: InstitutionType;
  identifier: string;
  bankCode: string;
  nipCode: string;
  country: string;
  primaryColor: string;
  icon: string;
  /** Name of the connector (see `connectors/`) that logs in to this bank. */
  connector: string;
  authMethods: { id: string; type: AuthMethodType; name: string; ui: Ui }[];
}

const loginForm = (bank: string, usernameHint: string): Ui => ({
  title: `Log in to ${bank}`,
  form: [
    { type: 'elements.input', name: 'username', hint: usernameHint, contentType: 'string' },
    { type: 'elements.input', name: 'password', hint: 'Password', contentType: 'password' },
  ],
});

/**
 * The sandbox institutions every Relink serves. A self-hoster adds real banks by adding an
 * entry here whose `connector` names their connector.
 */
export const INSTITUTIONS: Institution[] = [
  {
    id: '5f2d08be60b92e2888287000',
    name: 'Relink Sandbox Bank',
    type: 'PERSONAL_BANKING',
    identifier: 'relink.connections.sandbox_bank',
    bankCode: '998',
    nipCode: '999998',
    country: 'ng',
    primaryColor: '#0B6E4F',
    icon: '/static/institutions/sandbox-bank.svg',
    connector: 'sandbox',
    authMethods: [
      {
        id: '60d071acf73e6468062a0001',
        type: 'internet_banking',
        name: 'Internet Banking',
        ui: loginForm('Relink Sandbox Bank', 'Internet banking username'),
      },
      {
        id: '60d071acf73e6468062a0002',
        type: 'mobile_banking',
        name: 'Mobile Banking',
        ui: loginForm('Relink Sandbox Bank (mobile)', 'Mobile banking username'),
      },
    ],
  },
  {
    id: '5f2d08be60b92e2888287001',
    name: 'Relink Sandbox Business Bank',
    type: 'BUSINESS_BANKING',
    identifier: 'relink.connections.sandbox_business_bank',
    bankCode: '997',
    nipCode: '999997',
    country: 'ng',
    primaryColor: '#1D3557',
    icon: '/static/institutions/sandbox-business-bank.svg',
    connector: 'sandbox',
    authMethods: [
      {
        id: '60d071acf73e6468062a0003',
        type: 'internet_banking',
        name: 'Corporate Internet Banking',
        ui: loginForm('Relink Sandbox Business Bank', 'Corporate username'),
      },
    ],
  },
];

export class InstitutionRegistry {
  constructor(private readonly institutions: Institution[] = INSTITUTIONS) {}

  all(): Institution[] {
    return this.institutions;
  }

  get(id: string): Institution | undefined {
    return this.institutions.find((i) => i.id === id);
  }

  authMethod(institution: Institution, type: string) {
    return institution.authMethods.find((m) => m.type === type);
  }

  filter(query: { authMethod?: string | undefined; bankCode?: string | undefined }): Institution[] {
    return this.institutions.filter(
      (i) =>
        (query.authMethod === undefined || i.authMethods.some((m) => m.type === query.authMethod)) &&
        (query.bankCode === undefined || i.bankCode === query.bankCode),
    );
  }
}

export function toV1(i: Institution): InstitutionV1 {
  return {
    _id: i.id,
    name: i.name,
    type: i.type,
    auth_methods: i.authMethods.map((m) => ({ _id: m.id, type: m.type, name: m.name, ui: m.ui })),
    icon: i.icon,
    identifier: i.identifier,
    primaryColor: i.primaryColor,
    country: i.country,
    bank_code: i.bankCode,
  };
}

export function toV3(i: Institution): InstitutionV3 {
  return {
    _id: i.id,
    name: i.name,
    type: i.type,
    icon: i.icon,
    identifier: i.identifier,
    bank_code: i.bankCode,
    nip_code: i.nipCode,
    country: i.country,
    primary_color: i.primaryColor,
    scope: [{ name: 'Financial Data', type: 'financial_data' }],
    auth_methods: i.authMethods.map((m) => ({ type: m.type, name: m.name, ui: m.ui })),
  };
}
