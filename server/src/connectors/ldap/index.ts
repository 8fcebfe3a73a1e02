import type { ConnectorFactory } from "../kit.js";
import { type LdapConfig, ldapConfigSchema } from "./config.js";
import { LDAP_META, LdapConnector } from "./connector.js";

export { PPOLICY_ADMIN_LOCK, uacChange, uacEnabled } from "./attributes.js";
export { type LdapConfig, type LdapConfigInput, ldapConfigSchema } from "./config.js";
export { escapeDnValue } from "./dn.js";
export { LdapConnector };

/** The LDAP / Active Directory connector: secrets are { bindPassword }. */
export const ldapConnector: ConnectorFactory<LdapConfig> = {
  type: LDAP_META.type,
  label: LDAP_META.label,
  configSchema: ldapConfigSchema,
  secretFields: ["bindPassword"],
  create: (config, secrets) => new LdapConnector(config, secrets.bindPassword ?? ""),
};
