// What the server itself says, in Spanish (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nuevos cambios en uno de tus cuadernos de bitácora.',
  test: 'Notificación de prueba: el push funciona en este dispositivo.',
  changesSubject: 'crewbell: nuevos cambios en uno de tus cuadernos de bitácora',
  changesBody:
    'Nuevos cambios en uno de tus cuadernos de bitácora. Ninguno de tus dispositivos pudo recibir la notificación, así que llega por correo.',
  changesLink: 'Abrir el cuaderno de bitácora',
  verifySubject: 'crewbell: confirma tu dirección de correo',
  verifyBody:
    'Confirma esta dirección para recibir un correo cuando crewbell no pueda llegar a ninguno de tus dispositivos.',
  verifyLink: 'Confirmar la dirección',
  verifyIgnore: 'Si no lo has pedido tú, ignora este correo: no se te enviará nada.',
  testSubject: 'crewbell: correo de prueba',
  testBody: 'Correo de prueba: crewbell puede enviar correos a esta dirección.',
  why: 'Recibes este correo porque activaste las notificaciones en crewbell e indicaste esta dirección.',
  unsubscribe: 'No recibir más correos',
  watchStarts: 'Tu guardia empieza a las {time}.',
  logDue: {
    one: 'Es hora de una anotación en el cuaderno: ninguna desde hace {n} minuto.',
    many: 'Es hora de una anotación en el cuaderno: ninguna desde hace {n} minutos.',
    other: 'Es hora de una anotación en el cuaderno: ninguna desde hace {n} minutos.',
  },
} satisfies ServerCatalogue<'es'>;
