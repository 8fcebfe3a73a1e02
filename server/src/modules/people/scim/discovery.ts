/** SCIM 2.0 schema URNs and the discovery documents (RFC 7643 §5–7, RFC 7644 §4). */

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";
/** The largest page a list answers (also advertised as filter.maxResults). */
export const MAX_RESULTS = 200;

type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";
interface Attribute {
  name: string;
  type: "string" | "boolean" | "complex" | "dateTime" | "reference";
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: "always" | "default" | "never" | "request";
  uniqueness: "none" | "server" | "global";
  subAttributes?: Attribute[];
  referenceTypes?: string[];
}

function attr(
  name: string,
  description: string,
  o: Partial<Omit<Attribute, "name" | "description">> = {},
): Attribute {
  return {
    name,
    type: "string",
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...o,
  };
}

const userAttributes: Attribute[] = [
  attr("userName", "The person's work email address; unique.", { required: true, uniqueness: "server" }),
  attr("name", "The legal name.", {
    type: "complex",
    subAttributes: [
      attr("formatted", "The full legal name (wins over givenName + familyName)."),
      attr("givenName", "Given name."),
      attr("familyName", "Family name."),
    ],
  }),
  attr("displayName", "The preferred name (falls back to the legal name)."),
  attr("nickName", "The preferred name."),
  attr("title", "The job role title (managed in Tandem).", { mutability: "readOnly" }),
  attr("active", "Working (pre-hire, active, on leave, on notice); false terminates.", {
    type: "boolean",
  }),
  attr("emails", "The work email (the same as userName).", {
    multiValued: true,
    type: "complex",
    subAttributes: [
      attr("value", "The address."),
      attr("type", "Always work.", { mutability: "readOnly" }),
      attr("primary", "Always true.", { type: "boolean", mutability: "readOnly" }),
    ],
  }),
];

const enterpriseAttributes: Attribute[] = [
  attr("employeeNumber", "The HR employee number; unique and required.", {
    required: true,
    uniqueness: "server",
  }),
  attr("department", "The name of an existing Tandem department."),
  attr("manager", "The person's manager.", {
    type: "complex",
    subAttributes: [
      attr("value", "The SCIM id of the manager.", { caseExact: true }),
      attr("$ref", "The manager's resource URI.", { type: "reference", mutability: "readOnly" }),
      attr("displayName", "The manager's name.", { mutability: "readOnly" }),
    ],
  }),
];

const groupAttributes: Attribute[] = [
  attr("displayName", "The group's name; unique.", { required: true, uniqueness: "server" }),
  attr("members", "The people in the group.", {
    type: "complex",
    multiValued: true,
    subAttributes: [
      attr("value", "The SCIM id of a User.", { caseExact: true, mutability: "immutable" }),
      attr("$ref", "The member's resource URI.", { type: "reference", mutability: "readOnly" }),
      attr("display", "The member's name.", { mutability: "readOnly" }),
      attr("type", "Always User.", { mutability: "readOnly" }),
    ],
  }),
];

export function schemaDocuments(base: string) {
  const doc = (id: string, name: string, description: string, attributes: Attribute[]) => ({
    schemas: [SCHEMA_SCHEMA],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: "Schema", location: `${base}/Schemas/${id}` },
  });
  return [
    doc(USER_SCHEMA, "User", "A person of the organisation (a Tandem HR record)", userAttributes),
    doc(ENTERPRISE_SCHEMA, "EnterpriseUser", "HR attributes of a person", enterpriseAttributes),
    doc(GROUP_SCHEMA, "Group", "A group of people", groupAttributes),
  ];
}

export function resourceTypeDocuments(base: string) {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "People (HR records)",
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "Groups of people",
      schema: GROUP_SCHEMA,
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function serviceProviderConfig(base: string) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: `${base.replace(/\/scim\/v2$/, "")}/api/docs`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer API token",
        description: "A Tandem API token with the people:scim scope, sent as Authorization: Bearer tdm_…",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}
