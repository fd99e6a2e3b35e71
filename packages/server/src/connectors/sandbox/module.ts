import { CONNECTOR_INTERFACE_VERSION, defineConnector, type ConnectorModule, type InstitutionDefinition, loginForm } from '@relink/connector-kit';
import { SandboxBank } from './bank.ts';
import { DEFAULT_PASSWORD, SANDBOX_OTP } from './scenarios.ts';

/** The sandbox institutions: Relink serves them unless RELINK_CONNECTORS leaves `sandbox` out. */
export const SANDBOX_INSTITUTIONS: InstitutionDefinition[] = [
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

/**
 * The sandbox bank as a connector module, loaded the way any bank's is: Relink's own
 * `RELINK_CONNECTORS=sandbox` (the default) gives it the bank whose state lives in Relink's
 * database; this file's default export (a bank in memory) is what `relink sandbox-bank serve`
 * serves over the connector protocol and what `relink-connector-test` checks.
 */
export function sandboxModule(bank: SandboxBank = new SandboxBank()): ConnectorModule {
  return defineConnector({
    interfaceVersion: CONNECTOR_INTERFACE_VERSION,
    name: 'sandbox',
    institutions: SANDBOX_INSTITUTIONS,
    create: () => bank,
    testLogins: {
      institutionId: SANDBOX_INSTITUTIONS[0]!.id,
      authMethod: 'internet_banking',
      good: { username: 'user_good', password: DEFAULT_PASSWORD },
      wrongPassword: { username: 'user_good', password: 'not_the_password' },
      locked: { username: 'user_locked', password: DEFAULT_PASSWORD },
      down: { username: 'user_down', password: DEFAULT_PASSWORD },
      multi: { username: 'user_multi', password: DEFAULT_PASSWORD },
      otp: { fields: { username: 'user_otp', password: DEFAULT_PASSWORD }, answer: { otp: SANDBOX_OTP }, wrong: { otp: '00000' } },
      slow: { username: 'user_slow', password: DEFAULT_PASSWORD },
    },
  });
}

export default sandboxModule();
