// Word lists of the demo generator. Written for this project: research topics with the subjects that
// go with them, so that searching `q=coral` or faceting on `subjects` gives plausible answers.

export interface Topic {
  /** Noun phrase used in titles. */
  phrase: string;
  /** Subjects attached to records about it. */
  subjects: readonly string[];
}

export const topics: readonly Topic[] = [
  { phrase: 'coral reef resilience', subjects: ['Marine biology', 'Climate change', 'Ecology'] },
  { phrase: 'soil microbial communities', subjects: ['Microbiology', 'Soil science', 'Ecology'] },
  { phrase: 'glacier mass balance', subjects: ['Glaciology', 'Climate change', 'Earth sciences'] },
  { phrase: 'urban heat islands', subjects: ['Urban studies', 'Climate change', 'Geography'] },
  { phrase: 'protein folding dynamics', subjects: ['Biochemistry', 'Structural biology'] },
  { phrase: 'gravitational wave detection', subjects: ['Astrophysics', 'Physics'] },
  { phrase: 'dark matter halos', subjects: ['Astrophysics', 'Cosmology'] },
  { phrase: 'neural network pruning', subjects: ['Machine learning', 'Computer science'] },
  { phrase: 'graph neural networks', subjects: ['Machine learning', 'Computer science'] },
  { phrase: 'quantum error correction', subjects: ['Quantum computing', 'Physics', 'Computer science'] },
  { phrase: 'medieval manuscript illumination', subjects: ['Art history', 'Medieval studies'] },
  { phrase: 'Baroque music performance practice', subjects: ['Musicology', 'History'] },
  { phrase: 'language acquisition in bilingual children', subjects: ['Linguistics', 'Psychology'] },
  { phrase: 'antibiotic resistance genes', subjects: ['Microbiology', 'Public health', 'Genetics'] },
  { phrase: 'malaria transmission', subjects: ['Epidemiology', 'Public health'] },
  { phrase: 'wind turbine wake effects', subjects: ['Renewable energy', 'Fluid dynamics', 'Engineering'] },
  { phrase: 'perovskite solar cells', subjects: ['Materials science', 'Renewable energy'] },
  { phrase: 'lithium-ion battery degradation', subjects: ['Electrochemistry', 'Materials science'] },
  { phrase: 'high-energy particle collisions', subjects: ['Particle physics', 'Physics'] },
  { phrase: 'open access publishing', subjects: ['Library science', 'Scholarly communication'] },
  { phrase: 'research data management', subjects: ['Library science', 'Data science'] },
  { phrase: 'migratory bird navigation', subjects: ['Ornithology', 'Ecology', 'Animal behaviour'] },
  { phrase: 'honey bee colony collapse', subjects: ['Entomology', 'Ecology', 'Agriculture'] },
  { phrase: 'drought-tolerant wheat varieties', subjects: ['Agriculture', 'Plant genetics'] },
  { phrase: 'ocean acidification', subjects: ['Oceanography', 'Climate change', 'Chemistry'] },
  { phrase: 'volcanic ash dispersion', subjects: ['Volcanology', 'Atmospheric science', 'Earth sciences'] },
  { phrase: 'earthquake early warning', subjects: ['Seismology', 'Earth sciences', 'Engineering'] },
  { phrase: 'Roman trade networks', subjects: ['Archaeology', 'Ancient history'] },
  { phrase: 'labour migration in the nineteenth century', subjects: ['Economic history', 'History', 'Migration studies'] },
  { phrase: 'housing affordability', subjects: ['Economics', 'Urban studies'] },
  { phrase: 'central bank communication', subjects: ['Economics', 'Finance'] },
  { phrase: 'misinformation on social media', subjects: ['Communication studies', 'Sociology', 'Computer science'] },
  { phrase: 'sleep and memory consolidation', subjects: ['Neuroscience', 'Psychology'] },
  { phrase: 'gut microbiome diversity', subjects: ['Microbiology', 'Medicine', 'Nutrition'] },
  { phrase: 'CRISPR gene editing', subjects: ['Genetics', 'Biotechnology'] },
  { phrase: 'exoplanet atmospheres', subjects: ['Astronomy', 'Planetary science'] },
  { phrase: 'sea level rise', subjects: ['Oceanography', 'Climate change', 'Geography'] },
  { phrase: 'reinforcement learning for robotics', subjects: ['Machine learning', 'Robotics', 'Computer science'] },
  { phrase: 'software citation practices', subjects: ['Scholarly communication', 'Computer science'] },
  { phrase: 'indigenous land rights', subjects: ['Law', 'Anthropology', 'Political science'] },
];

export const titlePatterns: readonly ((topic: string, context: string, method: string) => string)[] = [
  (t, c) => `${cap(t)} in ${c}`,
  (t, _c, m) => `${cap(m)} of ${t}`,
  (t, c, m) => `${cap(m)} of ${t} in ${c}`,
  (t, c) => `New evidence on ${t} from ${c}`,
  (t) => `Towards a better understanding of ${t}`,
  (t, c) => `${cap(t)}: a case study of ${c}`,
  (t, _c, m) => `${cap(t)} revisited: ${m} and open questions`,
  (t, c) => `The role of ${t} in ${c}`,
];

export const contexts: readonly string[] = [
  'the Alps',
  'the Great Barrier Reef',
  'sub-Saharan Africa',
  'the Baltic Sea',
  'the Andes',
  'Southeast Asia',
  'the Arctic',
  'northern Europe',
  'the Mediterranean basin',
  'the Amazon basin',
  'coastal cities',
  'rural communities',
  'small island states',
  'the Himalaya',
  'the North Atlantic',
  'early modern Europe',
  'post-industrial regions',
  'laboratory conditions',
  'long-term field trials',
  'large public datasets',
];

export const methods: readonly string[] = [
  'a systematic review',
  'a longitudinal study',
  'a comparative analysis',
  'field measurements',
  'numerical simulations',
  'a meta-analysis',
  'a mixed-methods study',
  'a Bayesian model',
  'a randomized trial',
  'an open dataset',
  'remote sensing',
  'archival research',
];

export const givenNames: readonly string[] = [
  'Amara',
  'Ana',
  'Björn',
  'Chen',
  'Daniela',
  'Dmitri',
  'Elif',
  'Emma',
  'Farid',
  'Fatima',
  'Giulia',
  'Hiroshi',
  'Ingrid',
  'Jamal',
  'Jana',
  'Javier',
  'Kofi',
  'Lars',
  'Leila',
  'Lucía',
  'Maria',
  'Mateus',
  'Mei',
  'Nadia',
  'Niamh',
  'Olumide',
  'Pablo',
  'Priya',
  'Rafael',
  'Ravi',
  'Sakura',
  'Sara',
  'Sione',
  'Tomás',
  'Wei',
  'Yusuf',
  'Zanele',
  'Zofia',
];

export const familyNames: readonly string[] = [
  'Abebe',
  'Andersen',
  'Bauer',
  'Costa',
  'Dubois',
  'Eriksson',
  'Fernández',
  'García',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Kim',
  'Kowalski',
  'Larsen',
  'Li',
  'Martin',
  'Mensah',
  'Moreau',
  'Müller',
  'Nakamura',
  'Nguyen',
  'Novak',
  'Okafor',
  'Olsen',
  'Patel',
  'Rossi',
  'Santos',
  'Schmidt',
  'Silva',
  'Singh',
  'Smith',
  'Tanaka',
  'Van der Berg',
  'Wang',
  'Yilmaz',
  'Zhang',
];

export const affiliations: readonly string[] = [
  'CERN',
  'University of Oslo',
  'ETH Zurich',
  'University of Cape Town',
  'Universidad de Chile',
  'Kyoto University',
  'University of Toronto',
  'Sorbonne University',
  'Max Planck Institute for Biology',
  'University of Nairobi',
  'Indian Institute of Science',
  'University of Melbourne',
  'Universidade de São Paulo',
  'University of Edinburgh',
];

export const descriptionSentences: readonly ((topic: string, context: string, method: string) => string)[] = [
  (t, c) => `We study ${t} in ${c}.`,
  (_t, _c, m) => `The work is based on ${m}.`,
  (t) => `Our results suggest that ${t} is more variable than previously assumed.`,
  () => 'All data and code are openly available.',
  (t, c) => `We compare ${t} across several sites in ${c}.`,
  () => 'Limitations and directions for future research are discussed.',
  (t) => `This record describes outputs of a project on ${t}.`,
  (_t, c) => `Samples were collected in ${c} over several seasons.`,
];

/** Languages with weights (most records are in English, as in most repositories). */
export const languages: readonly [string, number][] = [
  ['eng', 70],
  ['fra', 6],
  ['deu', 6],
  ['spa', 6],
  ['por', 4],
  ['ita', 3],
  ['jpn', 3],
  ['zho', 2],
];

/** Record types with weights. */
export const typeWeights: readonly [string, number][] = [
  ['article', 40],
  ['dataset', 18],
  ['conference-paper', 10],
  ['software', 9],
  ['report', 8],
  ['thesis', 6],
  ['book', 5],
  ['image', 4],
];

/** Owners of demo records: the users of the example `RECORDKIT_TOKENS` in the README. */
export const owners: readonly string[] = ['alice', 'bob', 'carol', 'dave'];

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
