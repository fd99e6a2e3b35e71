import type { InstitutionV1, InstitutionV3 } from '@relink/contract';
import type { InstitutionDefinition } from '@relink/connector-kit';

/**
 * An institution as Relink knows it: what partners see, as its connector module declared it,
 * plus the name of that connector (`connectors/loader.ts` loads the modules RELINK_CONNECTORS
 * and RELINK_CONNECTOR_URLS name; the sandbox bank is one of them).
 */
export interface Institution extends InstitutionDefinition {
  connector: string;
}

export class InstitutionRegistry {
  constructor(private readonly institutions: Institution[]) {}

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
