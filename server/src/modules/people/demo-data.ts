/**
 * What the demo organisation is made of: locations, departments with their job roles and
 * teams, and name lists grouped by the language or region they come from, so a person's two
 * names belong together. Written for Tandem's demo; any likeness to a real person is a
 * coincidence.
 */
export interface NameGroup {
  first: readonly string[];
  family: readonly string[];
}

export const NAME_GROUPS = {
  nguni: {
    first: ["Thandiwe", "Sipho", "Nomvula", "Lwazi", "Ayanda", "Themba", "Zanele", "Bongani", "Nandi"],
    family: ["Dlamini", "Nkosi", "Ndlovu", "Mthembu", "Khumalo", "Mahlangu", "Cele", "Ngcobo", "Mkhize"],
  },
  sotho: {
    first: ["Lerato", "Tumelo", "Palesa", "Karabo", "Refilwe", "Thabo", "Kamohelo", "Dineo", "Tshepo"],
    family: ["Mokoena", "Molefe", "Mofokeng", "Letsoalo", "Motaung", "Maseko", "Mokwena", "Phiri"],
  },
  afrikaans: {
    first: ["Annelie", "Pieter", "Marelize", "Johan", "Liezl", "Jaco", "Riaan", "Elmarie", "Wikus"],
    family: ["van der Merwe", "Botha", "Pretorius", "du Plessis", "Venter", "Steyn", "Joubert", "Louw"],
  },
  capeMuslim: {
    first: ["Fatima", "Zaid", "Nadia", "Yusuf", "Shireen", "Ridwaan", "Aisha", "Faiek"],
    family: ["Abrahams", "Adams", "Davids", "Isaacs", "Jacobs", "Hendricks", "Salie", "Fortuin"],
  },
  british: {
    first: ["Oliver", "Harriet", "George", "Imogen", "Callum", "Eleanor", "Rhys", "Fiona", "Alistair"],
    family: ["Whitfield", "Ashworth", "Pemberton", "Hughes", "Sinclair", "Fletcher", "Thornton", "Holloway"],
  },
  irishScottish: {
    first: ["Niamh", "Ciaran", "Siobhan", "Eoin", "Aoife", "Hamish", "Isla", "Ruairi"],
    family: ["Gallagher", "Byrne", "McAllister", "Doherty", "Fraser", "Quinn", "Kennedy", "Murray"],
  },
  dutch: {
    first: ["Daan", "Sanne", "Bram", "Femke", "Joost", "Lotte", "Maarten", "Noor", "Wouter", "Ilse"],
    family: ["de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Dekker"],
  },
  southAsian: {
    first: ["Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Meera", "Aditya", "Nisha"],
    family: ["Naidoo", "Pillay", "Govender", "Patel", "Sharma", "Iyer", "Reddy", "Menon", "Moodley"],
  },
  pakistaniBangladeshi: {
    first: ["Sana", "Imran", "Farhan", "Ayesha", "Tariq", "Nusrat", "Bilal", "Rukhsana"],
    family: ["Chaudhry", "Khan", "Rahman", "Hussain", "Siddiqui", "Malik", "Qureshi", "Akhtar"],
  },
  westAfrican: {
    first: ["Chidi", "Ngozi", "Oluwaseun", "Adaeze", "Kwame", "Ama", "Tobi", "Folake", "Emeka", "Abena"],
    family: ["Okafor", "Adeyemi", "Mensah", "Okonkwo", "Boateng", "Eze", "Asante", "Balogun", "Owusu"],
  },
  eastAfrican: {
    first: ["Wanjiru", "Otieno", "Amani", "Zawadi", "Baraka", "Achieng", "Juma", "Nyokabi"],
    family: ["Kamau", "Odhiambo", "Mwangi", "Njoroge", "Kiprono", "Mutua", "Wekesa", "Chebet"],
  },
  chinese: {
    first: ["Wei", "Mei", "Jun", "Xiu", "Hao", "Lin", "Yan", "Jia"],
    family: ["Chen", "Wang", "Liu", "Zhang", "Huang", "Lim", "Tan", "Wong"],
  },
  japaneseKorean: {
    first: ["Haruto", "Yui", "Kenji", "Aiko", "Min-jun", "Seo-yeon", "Ji-ho", "Sora"],
    family: ["Tanaka", "Sato", "Nakamura", "Kim", "Park", "Choi", "Yamamoto", "Han"],
  },
  iberianLatin: {
    first: ["Lucía", "Mateo", "Inês", "Tiago", "Camila", "Diego", "Beatriz", "Rafael", "Valentina", "João"],
    family: ["García", "Fernández", "Silva", "Costa", "Oliveira", "Moreno", "Pereira", "Almeida", "Ramos"],
  },
  polish: {
    first: ["Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Marta", "Jakub", "Ewa", "Paweł"],
    family: ["Nowak", "Mazur", "Krawczyk", "Wójcik", "Kaczmarek", "Dudek", "Sikora", "Zając"],
  },
  turkishArabic: {
    first: ["Elif", "Emre", "Zeynep", "Burak", "Layla", "Omar", "Yasmin", "Karim", "Hana"],
    family: ["Yılmaz", "Demir", "Kaya", "Şahin", "Aydın", "Haddad", "Mansour", "El Amrani", "Benali"],
  },
  germanNordic: {
    first: ["Lukas", "Anna", "Jonas", "Freya", "Matthias", "Ingrid", "Felix", "Katrin"],
    family: ["Schneider", "Weber", "Lindqvist", "Andersen", "Hoffmann", "Berg", "Nilsson", "Fischer"],
  },
  southeastAsian: {
    first: ["Linh", "Minh", "Thao", "Quang", "Maricel", "Jericho", "Angelica", "Rommel"],
    family: ["Nguyen", "Tran", "Pham", "Le", "Reyes", "Dela Cruz", "Bautista", "Mendoza"],
  },
} satisfies Record<string, NameGroup>;

export type NameGroupKey = keyof typeof NAME_GROUPS;

/** Short forms some people go by; they become the preferred (display) name. */
export const SHORT_FORMS: Record<string, string> = {
  Thandiwe: "Thandi",
  Nomvula: "Vuvu",
  Bongani: "Bo",
  Kamohelo: "Kamo",
  Marelize: "Mari",
  Elmarie: "Elma",
  Ridwaan: "Riddy",
  Alistair: "Ali",
  Eleanor: "Nell",
  Harriet: "Hattie",
  Oliver: "Ollie",
  Maarten: "Mart",
  Ananya: "Anu",
  Vikram: "Vik",
  Oluwaseun: "Seun",
  Adaeze: "Ada",
  Katarzyna: "Kasia",
  Agnieszka: "Aga",
  Matthias: "Matze",
  Valentina: "Vale",
  Rafael: "Rafa",
};

export const LOCATIONS = {
  capeTown: { name: "Cape Town", timeZone: "Africa/Johannesburg", country: "ZA" },
  london: { name: "London", timeZone: "Europe/London", country: "GB" },
  amsterdam: { name: "Amsterdam", timeZone: "Europe/Amsterdam", country: "NL" },
  remote: { name: "Remote", timeZone: "UTC", country: null },
} as const;
export type LocationKey = keyof typeof LOCATIONS;

/** Where people at each location tend to come from (weights), so names fit the place. */
export const NAMES_BY_LOCATION: Record<LocationKey, Partial<Record<NameGroupKey, number>>> = {
  capeTown: { nguni: 4, sotho: 3, afrikaans: 3, capeMuslim: 2, southAsian: 2, british: 1, eastAfrican: 1 },
  london: {
    british: 4,
    irishScottish: 2,
    southAsian: 2,
    pakistaniBangladeshi: 2,
    westAfrican: 2,
    polish: 1,
    chinese: 1,
    iberianLatin: 1,
  },
  amsterdam: { dutch: 5, turkishArabic: 2, germanNordic: 2, iberianLatin: 1, polish: 1, southeastAsian: 1 },
  remote: Object.fromEntries(Object.keys(NAME_GROUPS).map((k) => [k, 1])),
};

export const DEPARTMENT_KEYS = [
  "operations",
  "finance",
  "people",
  "security",
  "it",
  "legal",
  "sales",
  "engineering",
] as const;
export type DepartmentKey = (typeof DEPARTMENT_KEYS)[number];

export type Team = { lead?: string; members: Record<string, number> };
export interface DepartmentSpec {
  name: string;
  parent: DepartmentKey | null;
  head: string;
  /** The department head reports to the head of this department (default: the CEO). */
  headReportsTo?: DepartmentKey;
  roles: Record<string, string>;
  teams: Team[];
  where: Partial<Record<LocationKey, number>>;
}

const repeat = (n: number, f: (i: number) => Team) => Array.from({ length: n }, (_, i) => f(i));

/** Departments (a tree: IT sits under Operations), their 30 job roles with levels, and teams. */
export const DEPARTMENTS: Record<DepartmentKey, DepartmentSpec> = {
  operations: {
    name: "Operations",
    parent: null,
    head: "Chief Operating Officer",
    roles: {
      "Chief Executive Officer": "Executive",
      "Chief Operating Officer": "Executive",
      "Operations Manager": "M2",
      "Operations Analyst": "L2",
    },
    teams: repeat(2, () => ({ lead: "Operations Manager", members: { "Operations Analyst": 12 } })),
    where: { capeTown: 5, london: 3, amsterdam: 1, remote: 1 },
  },
  finance: {
    name: "Finance",
    parent: null,
    head: "Chief Financial Officer",
    roles: {
      "Chief Financial Officer": "Executive",
      "Finance Manager": "M2",
      Accountant: "L2",
      "Internal Auditor": "L3",
    },
    teams: [
      { members: { "Internal Auditor": 3 } },
      ...repeat(2, () => ({ lead: "Finance Manager", members: { Accountant: 8 } })),
    ],
    where: { capeTown: 5, london: 3, amsterdam: 1 },
  },
  people: {
    name: "People & Culture",
    parent: null,
    head: "Chief People Officer",
    roles: {
      "Chief People Officer": "Executive",
      "HR Business Partner": "L3",
      "Talent Acquisition Partner": "L2",
    },
    teams: [{ members: { "HR Business Partner": 5, "Talent Acquisition Partner": 8 } }],
    where: { capeTown: 4, london: 2, amsterdam: 2, remote: 1 },
  },
  security: {
    name: "Security",
    parent: null,
    head: "Chief Information Security Officer",
    roles: {
      "Chief Information Security Officer": "Executive",
      "Security Engineer": "L3",
      "Security Analyst": "L2",
      "GRC Analyst": "L2",
    },
    teams: [
      { members: { "GRC Analyst": 3 } },
      { lead: "Security Engineer", members: { "Security Engineer": 5 } },
      { lead: "Security Analyst", members: { "Security Analyst": 5 } },
    ],
    where: { capeTown: 3, london: 2, amsterdam: 2, remote: 2 },
  },
  it: {
    name: "IT",
    parent: "operations",
    head: "Head of IT",
    headReportsTo: "operations",
    roles: { "Head of IT": "M3", "IT Systems Administrator": "L3", "IT Support Specialist": "L1" },
    teams: [
      { lead: "IT Systems Administrator", members: { "IT Systems Administrator": 5 } },
      { lead: "IT Support Specialist", members: { "IT Support Specialist": 11 } },
    ],
    where: { capeTown: 5, london: 2, amsterdam: 2 },
  },
  legal: {
    name: "Legal",
    parent: null,
    head: "General Counsel",
    roles: { "General Counsel": "Executive", "Legal Counsel": "L3", Paralegal: "L1" },
    teams: [{ members: { "Legal Counsel": 5, Paralegal: 5 } }],
    where: { capeTown: 3, london: 3, amsterdam: 2 },
  },
  sales: {
    name: "Sales",
    parent: null,
    head: "Chief Revenue Officer",
    roles: {
      "Chief Revenue Officer": "Executive",
      "Sales Manager": "M2",
      "Account Executive": "L2",
      "Sales Development Representative": "L1",
    },
    teams: repeat(3, () => ({
      lead: "Sales Manager",
      members: { "Account Executive": 9, "Sales Development Representative": 5 },
    })),
    where: { london: 5, amsterdam: 4, capeTown: 3, remote: 1 },
  },
  engineering: {
    name: "Engineering",
    parent: null,
    head: "Chief Technology Officer",
    roles: {
      "Chief Technology Officer": "Executive",
      "Engineering Manager": "M2",
      "Senior Software Engineer": "L4",
      "Software Engineer": "L2",
      "Engineering Intern": "Intern",
    },
    teams: repeat(8, (i) => ({
      lead: "Engineering Manager",
      members: {
        "Senior Software Engineer": 3,
        "Software Engineer": 7,
        ...(i < 5 ? { "Engineering Intern": 1 } : {}),
      },
    })),
    where: { capeTown: 4, amsterdam: 3, london: 2, remote: 3 },
  },
};

/** Roles that some contractors fill (probability), and the one role a vendor's person fills. */
export const CONTRACTOR_CHANCE: Record<string, number> = {
  "Software Engineer": 0.12,
  "Senior Software Engineer": 0.1,
  "Security Engineer": 0.2,
  "IT Support Specialist": 0.1,
  "Operations Analyst": 0.08,
  "Legal Counsel": 0.2,
};
export const VENDOR_ROLE = "IT Support Specialist";
